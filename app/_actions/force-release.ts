'use server';

import { adminAction } from '@/app/_lib/actions';
import { forceRelease } from '@/lib/admin/force-release';
import { forceReleaseInputSchema } from '@/lib/admin/schemas';

/** Free the lock by hand: an expired lease, or a live one whose holder's worker id the admin typed. */
export const forceReleaseAction = adminAction('force-release', forceReleaseInputSchema, async (input, { session, db }) =>
  forceRelease(await db(), input, session.email),
);

'use server';

import { adminAction } from '@/app/_lib/actions';
import { seedMissingInputSchema } from '@/lib/admin/schemas';
import { startRun } from '@/lib/admin/start-run';
import { config } from '@/lib/env';

/** Insert the seeded documents that are absent, without a wipe, under the workers' lock. */
export const seedMissingAction = adminAction('seed-missing', seedMissingInputSchema, async (input, { session, db }) =>
  startRun(await db(), config(), { kind: 'seed-missing', seenState: input.seen_state, requestedBy: session.email }),
);

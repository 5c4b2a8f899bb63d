'use server';

import { z } from 'zod';
import { publicAction } from '@/app/_lib/actions';
import { endSession } from '@/app/_lib/session';

// Public: it works even once the session has expired (then it only clears the cookie). A valid
// session is revoked on every instance, so a copy of the token is refused from now on.
export const signOutAction = publicAction('sign-out', z.unknown(), async (_input, { session }) => {
  await endSession(session);
  return { ok: true, redirect_to: '/sign-in' };
});

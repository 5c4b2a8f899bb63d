'use server';

import { z } from 'zod';
import { publicAction } from '@/app/_lib/actions';
import { endSession } from '@/app/_lib/session';

// Public: clearing one's own cookie harms nobody, and works even once the session has expired.
export const signOutAction = publicAction('sign-out', z.unknown(), async () => {
  await endSession();
  return { ok: true, redirect_to: '/sign-in' };
});

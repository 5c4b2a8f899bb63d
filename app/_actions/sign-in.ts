'use server';

import { headers } from 'next/headers';
import { z } from 'zod';
import { publicAction } from '@/app/_lib/actions';
import { startSession } from '@/app/_lib/session';
import { refuse } from '@/lib/auth/action-guard';
import { safeNextPath } from '@/lib/auth/next-path';
import { SIGN_IN_FAILED, signIn } from '@/lib/auth/sign-in';
import { clientAddress, trustedProxies } from '@/lib/http/client-address';
import { PEER_HEADER, peerFromStamp } from '@/lib/http/peer-address';
import { config } from '@/lib/env';

// The credentials are checked by signIn itself, so a malformed form gets the one sign-in message too.
const signInFormSchema = z.looseObject({ next: z.unknown().optional() });

/** The sign-in form: limited attempts, one message for every refusal, then back where the user was going. */
export const signInAction = publicAction('sign-in', signInFormSchema, async (input, { db }) => {
  const request = await headers();
  const cfg = config();
  const address = clientAddress(peerFromStamp(request.get(PEER_HEADER)), request.get('x-forwarded-for'), trustedProxies(cfg.TRUSTED_PROXIES));
  const result = await signIn(await db(), input, address, cfg);
  if (!result.ok) {
    // Only something shaped like an address is logged: a password typed into the wrong box is not.
    const email = typeof input.email === 'string' && /^[^\s@]{1,64}@[^\s@]{1,189}$/.test(input.email) ? JSON.stringify(input.email) : '(not an email address)';
    const why = result.refused ? ` (unchecked: the ${result.refused} limit)` : '';
    console.warn(`[auth] sign-in refused for ${email} from ${address}${why}`);
    return refuse('invalid', SIGN_IN_FAILED);
  }
  await startSession(result.user);
  return { ok: true, redirect_to: safeNextPath(input.next) };
});

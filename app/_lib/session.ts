import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import {
  SESSION_COOKIE,
  createSessionToken,
  sessionCookieOptions,
  sessionSecret,
  verifySessionToken,
  type Session,
  type SessionUser,
} from '@/lib/auth/session';
import { isSessionCurrent, revokeSessions, sessionEpochForSignIn } from '@/lib/auth/session-store';
import { signInUrl } from '@/lib/console/urls';
import { isUnreachableError, sharedDb } from '@/lib/db/client';
import { ConfigError, config } from '@/lib/env';

/**
 * The signed-in user of this request, or null (read once per request): a signed token that was not
 * revoked (lib/auth/session-store.ts). While the database cannot be reached the revocation cannot
 * be checked and a signed token is taken as it is: the page can then show only the unreachable
 * banner, and every route handler and action answers that the database is unavailable.
 */
export const currentSession = cache(async (): Promise<Session | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const session = await verifySessionToken(token, sessionSecret());
  if (!session) return null;
  try {
    return (await isSessionCurrent(await sharedDb(), session)) ? session : null;
  } catch (error) {
    if (isUnreachableError(error) || error instanceof ConfigError) return session;
    throw error;
  }
});

/** A page's path with its search params, to come back to after signing in. */
export function pathWithQuery(path: string, params: Record<string, string | string[] | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of [value ?? []].flat()) query.append(key, v);
  return query.size > 0 ? `${path}?${query}` : path;
}

/**
 * Every page calls this first. The proxy already sends signed-out visitors to the sign-in page,
 * but the proxy is not the security boundary: the page checks the session itself.
 */
export async function requireSession(path: string): Promise<Session> {
  const session = await currentSession();
  if (!session) redirect(signInUrl(path));
  return session;
}

export async function startSession(user: SessionUser): Promise<void> {
  const cfg = config();
  const epoch = await sessionEpochForSignIn(await sharedDb(), user);
  const token = await createSessionToken(user, { secret: sessionSecret(cfg), maxAgeMs: cfg.SESSION_MAX_AGE_MS, epoch });
  (await cookies()).set(SESSION_COOKIE, token, sessionCookieOptions(cfg));
}

/** Signs the user out everywhere (their epoch moves on), then clears this browser's cookie. */
export async function endSession(session: Session | null): Promise<void> {
  if (session) await revokeSessions(await sharedDb(), session.userId);
  const { maxAge: _maxAge, ...options } = sessionCookieOptions();
  (await cookies()).set(SESSION_COOKIE, '', { ...options, maxAge: 0 });
}

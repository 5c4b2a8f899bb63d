import { SESSION_COOKIE, createSessionToken, sessionSecret, type SessionUser } from '../../lib/auth/session';

/** The seeded users (depictio's static admin and test user ids): fixed, so a session names them across reseeds. */
export const SEEDED_ADMIN: SessionUser = { userId: '67658ba033c8b59ad489d7c7', email: 'admin@example.com', role: 'admin' };
export const SEEDED_VIEWER: SessionUser = { userId: '67658ba033c8b59ad489d7c8', email: 'test_user@example.com', role: 'viewer' };

/**
 * A `Cookie` header value carrying a session for `user`, signed with `secret` (by default this
 * process's own session key, as the route handlers in this process verify it).
 */
export async function sessionCookie(
  user: SessionUser = SEEDED_VIEWER,
  options: { secret?: Uint8Array | string; maxAgeMs?: number; now?: Date } = {},
): Promise<string> {
  const secret = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : (options.secret ?? sessionSecret());
  const token = await createSessionToken(user, { secret, maxAgeMs: options.maxAgeMs ?? 3_600_000, now: options.now });
  return `${SESSION_COOKIE}=${token}`;
}

/** A request with a session cookie (a viewer's unless told). */
export async function signedRequest(url: string, user: SessionUser = SEEDED_VIEWER): Promise<Request> {
  return new Request(url, { headers: { cookie: await sessionCookie(user) } });
}

import { randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { assertConsoleConfig, config, cookieSecure, type Config } from '../env';

/**
 * The session is a stateless token (JWT, HS256) in an HttpOnly cookie: the user's id, email and role,
 * when it was issued and when it expires. Nothing about it is stored in the database, so a reseed
 * (which deletes and re-inserts the users) signs nobody out, and every console instance with the
 * same SESSION_SECRET accepts it.
 */

export const SESSION_COOKIE = 'console_session';
export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const ISSUER = 'depictio-init-console';
const AUDIENCE = 'depictio-init-console';

export const sessionUserSchema = z.object({
  userId: z.string().regex(/^[0-9a-f]{24}$/),
  email: z.string().min(3).max(254),
  role: z.enum(ROLES),
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

export interface Session extends SessionUser {
  issuedAt: Date;
  expiresAt: Date;
}

const claimsSchema = z.object({
  sub: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  iat: z.number(),
  exp: z.number(),
});

/**
 * The key that signs sessions: SESSION_SECRET, or outside production a random one made once per
 * process (then sessions end when the process restarts). Production without a secret never gets
 * here: the server refuses to start (assertConsoleConfig).
 */
export function sessionSecret(cfg: Config = config()): Uint8Array {
  assertConsoleConfig(cfg);
  if (cfg.SESSION_SECRET) return new TextEncoder().encode(cfg.SESSION_SECRET);
  // On globalThis: the proxy, the pages and the route handlers are separate bundles in one process.
  const holder = globalThis as typeof globalThis & { __consoleDevSessionSecret?: Uint8Array };
  if (!holder.__consoleDevSessionSecret) {
    holder.__consoleDevSessionSecret = new Uint8Array(randomBytes(32));
    console.warn(
      '[auth] SESSION_SECRET is not set: this process signs sessions with a random secret of its own (development only). ' +
        'Sessions end when it restarts and other instances do not accept them; set SESSION_SECRET (`openssl rand -base64 32`) to keep them.',
    );
  }
  return holder.__consoleDevSessionSecret;
}

export async function createSessionToken(
  user: SessionUser,
  options: { secret: Uint8Array; maxAgeMs: number; now?: Date },
): Promise<string> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ email: user.email, role: user.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + Math.floor(options.maxAgeMs / 1000))
    .sign(options.secret);
}

/** The session a token carries, or null when its signature, issuer, expiry or shape is wrong. */
export async function verifySessionToken(token: string | undefined | null, secret: Uint8Array): Promise<Session | null> {
  if (!token || token.length > 4096) return null;
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return null;
    const user = sessionUserSchema.safeParse({ userId: claims.data.sub, email: claims.data.email, role: claims.data.role });
    if (!user.success) return null;
    return { ...user.data, issuedAt: new Date(claims.data.iat * 1000), expiresAt: new Date(claims.data.exp * 1000) };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
}

/** A cookie's value from a Cookie request header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/** The session of a web-standard Request (its Cookie header), or null. */
export async function sessionFromRequest(request: Request, cfg: Config = config()): Promise<Session | null> {
  return verifySessionToken(readCookie(request.headers.get('cookie'), SESSION_COOKIE), sessionSecret(cfg));
}

/** The attributes of the session cookie: HttpOnly, SameSite=Lax, Secure in production, and an expiry. */
export function sessionCookieOptions(cfg: Config = config()) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: cookieSecure(cfg),
    path: '/',
    maxAge: Math.floor(cfg.SESSION_MAX_AGE_MS / 1000),
  };
}

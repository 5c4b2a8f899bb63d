import { randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { assertConsoleConfig, config, cookieSecure, type Config } from '../env';

/**
 * The session is a signed token (JWT, HS256) in an HttpOnly cookie: the user's id, email and role,
 * the user's session epoch, when it was issued and when it expires. Every console instance with
 * the same SESSION_SECRET accepts it. It is revocable: each request also checks the epoch and the
 * role against the database (session-store.ts); this file only checks the signature and shape.
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
  /** The user's session epoch when the token was made: sign-out and a role change move it on. */
  epoch: number;
  issuedAt: Date;
  expiresAt: Date;
}

const claimsSchema = z.object({
  sub: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  sep: z.number().int().nonnegative(),
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

export async function createSessionToken(user: SessionUser, options: { secret: Uint8Array; maxAgeMs: number; now?: Date; epoch?: number }): Promise<string> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ email: user.email, role: user.role, sep: options.epoch ?? 0 })
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
    return { ...user.data, epoch: claims.data.sep, issuedAt: new Date(claims.data.iat * 1000), expiresAt: new Date(claims.data.exp * 1000) };
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

/** The signed session of a web-standard Request (its Cookie header), or null; not yet checked for revocation. */
export async function signedSessionFromRequest(request: Request, cfg: Config = config()): Promise<Session | null> {
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

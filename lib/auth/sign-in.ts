import type { Db } from 'mongodb';
import { z } from 'zod';
import { USERS } from '../db/collections';
import type { Config } from '../env';
import { objectIdSchema } from '../schemas/object-id';
import { hashPassword, randomPassword, verifyPassword } from './passwords';
import { beginAttempt, type Refusal } from './rate-limit';
import type { SessionUser } from './session';

/** One answer for a wrong email, a wrong password, a malformed form and too many attempts alike. */
export const SIGN_IN_FAILED = 'Sign-in failed: the email or password is wrong, or there were too many attempts (then wait a minute).';

export const signInInputSchema = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(200),
});
export type SignInInput = z.infer<typeof signInInputSchema>;

/** `refused` (for the server log and the tests, never the user): which limit refused the attempt unchecked. */
export type SignInResult = { ok: true; user: SessionUser } | { ok: false; error: string; refused?: Refusal };

const storedUserSchema = z.object({ _id: objectIdSchema, email: z.string(), password: z.string(), is_admin: z.boolean().optional() });

let dummyHash: string | undefined;

/** The platform's user with this email and password, with its role; null otherwise. */
export async function checkCredentials(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const found = await db.collection(USERS).findOne({ email }, { projection: { _id: 1, email: 1, password: 1, is_admin: 1 } });
  const user = found ? storedUserSchema.safeParse(found) : null;
  if (!user?.success) {
    // As slow as a real check, so the answer's timing does not tell which emails exist.
    dummyHash ??= hashPassword('nobody@invalid', randomPassword());
    await verifyPassword(password, dummyHash);
    return null;
  }
  if (!(await verifyPassword(password, user.data.password).catch(() => false))) return null;
  return { userId: user.data._id.toHexString(), email: user.data.email, role: user.data.is_admin ? 'admin' : 'viewer' };
}

/**
 * A sign-in attempt from `address`, within the limits of rate-limit.ts (per email and address,
 * per address, and a back-off per account), then checked against `users`. Only a wrong password
 * counts against the limits. Every refusal is the same message.
 */
export async function signIn(db: Db, raw: unknown, address: string, cfg: Pick<Config, 'SIGNIN_WINDOW_MS' | 'SIGNIN_MAX_ATTEMPTS'>): Promise<SignInResult> {
  const input = signInInputSchema.safeParse(raw);
  if (!input.success) return { ok: false, error: SIGN_IN_FAILED };
  const { email, password } = input.data;
  const attempt = await beginAttempt(db, email, address, { windowMs: cfg.SIGNIN_WINDOW_MS, maxAttempts: cfg.SIGNIN_MAX_ATTEMPTS });
  if (attempt.refused) return { ok: false, error: SIGN_IN_FAILED, refused: attempt.refused };
  const user = await checkCredentials(db, email, password);
  if (!user) {
    await attempt.failed();
    return { ok: false, error: SIGN_IN_FAILED };
  }
  await attempt.succeeded();
  return { ok: true, user };
}

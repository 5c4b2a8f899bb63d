import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { PASSWORD_SOURCES } from './schema';

export type PasswordSource = (typeof PASSWORD_SOURCES)[number];
export type Passwords = Partial<Record<PasswordSource, string>>;

const BCRYPT_COST = 10;

/**
 * bcrypt with a salt derived from the email and the password: the same configured password always
 * gives the same hash, so reseeding writes identical user documents and signs nobody out.
 */
export function hashPassword(email: string, password: string): string {
  const seed = createHash('sha256').update(`depictio-seed:${email}\0${password}`).digest();
  const salt = `$2b$${BCRYPT_COST}$${bcrypt.encodeBase64(seed, 16)}`;
  return bcrypt.hashSync(password, salt);
}

export function verifyPassword(password: string, hash: string): boolean {
  return bcrypt.compareSync(password, hash);
}

/** A password for an account whose password is not configured (development only). */
export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

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

/** The sign-in's check, without blocking the event loop. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** A random password (16 characters from 96 random bits). */
export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

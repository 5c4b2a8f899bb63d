import { randomPassword } from '../auth/passwords';
import type { PASSWORD_SOURCES } from './schema';

export type PasswordSource = (typeof PASSWORD_SOURCES)[number];
export type Passwords = Partial<Record<PasswordSource, string>>;

type PasswordMemory = { generated: Map<string, string>; announced: Set<string> };

// On globalThis: the console's boot and its reseed action are separate bundles in one process.
function memory(): PasswordMemory {
  const holder = globalThis as typeof globalThis & { __depictioGeneratedPasswords?: PasswordMemory };
  holder.__depictioGeneratedPasswords ??= { generated: new Map(), announced: new Set() };
  return holder.__depictioGeneratedPasswords;
}

/**
 * The password of an account whose password is not configured (never in production): made up
 * once per process, so that every reseed this process runs writes the same one (and the same
 * hash) instead of changing it under the user.
 */
export function generatedPassword(source: PasswordSource, email: string): string {
  const key = `${source}\0${email}`;
  let password = memory().generated.get(key);
  if (!password) {
    password = randomPassword();
    memory().generated.set(key, password);
  }
  return password;
}

/** Prints each generated password the first time this process has written it, never again. */
export function announceGeneratedPasswords(
  generated: ReadonlyArray<{ email: string; source: PasswordSource; password: string }>,
  log: (line: string) => void = console.log,
): void {
  for (const p of generated) {
    const key = `${p.source}\0${p.email}\0${p.password}`;
    if (memory().announced.has(key)) continue;
    memory().announced.add(key);
    log(`${p.email}: no ${p.source} configured, generated password (shown once): ${p.password}`);
  }
}

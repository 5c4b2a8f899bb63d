import path from 'node:path';
import { z } from 'zod';
import { redactUri } from './db/redact-uri';
import { proxyEntryProblem } from './http/client-address';
import { checkWholeNumber, wholeNumberMessage } from './whole-number';
import { zodProblems } from './zod-issues';

/**
 * The one place the environment is read. Every variable is validated here; a wrong value stops the
 * program with one message naming each variable and what it expects.
 */

/** A whole number from min to max; `what` says what it counts, for the message. */
const wholeNumber = (name: string, min: number, max: number, fallback: number, what: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const checked = checkWholeNumber(raw, min, max);
      if (checked.ok) return checked.value;
      ctx.addIssue({ code: 'custom', message: wholeNumberMessage(name, raw, min, max, what) });
      return z.NEVER;
    });

const millis = (name: string, min: number, max: number, fallback: number) => wholeNumber(name, min, max, fallback, 'a whole number of milliseconds');

const flag = <F extends boolean | undefined>(name: string, fallback: F) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false (got "${raw}")` });
      return z.NEVER;
    });

/** How a rejected value appears in a message: as it is, or only as much of it as is not secret. */
type Shown = (raw: string) => string;
const asIs: Shown = (raw) => `(got "${raw}")`;
/** Passwords: only their length. */
const lengthOnly: Shown = (raw) => `(got ${[...raw].length})`;
/**
 * Connection strings: without credentials. A MongoDB URI with stray spaces is still redacted; any
 * other value with an "@" may hold a password the redaction does not know where to find: not shown.
 */
const redacted: Shown = (raw) => {
  const trimmed = raw.trim();
  if (/^mongodb(\+srv)?:\/\//.test(trimmed)) return `(got "${redactUri(trimmed)}"${trimmed === raw ? '' : ' with spaces around it'})`;
  return raw.includes('@') ? '(the value is not shown: it may hold a password)' : asIs(raw);
};

const optionalText = (name: string, pattern: RegExp, expected: string, shown: Shown = asIs) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      if (!pattern.test(raw)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be ${expected} ${shown(raw)}` });
        return z.NEVER;
      }
      return raw;
    });

const count = (name: string, min: number, max: number, fallback: number) => wholeNumber(name, min, max, fallback, 'a whole number');

/** Bytes, not characters: what an HS256 key's strength depends on. */
export const SESSION_SECRET_MIN_BYTES = 32;
const SECRET_HOWTO = 'generate one with `openssl rand -base64 32` and give every console instance the same value';

export const GENERATION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const GENERATION_EXPECTED = '1 to 100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit';

const envSchema = z
  .object({
    MONGODB_URI: optionalText(
      'MONGODB_URI',
      /^mongodb(\+srv)?:\/\/\S+$/,
      'a MongoDB connection string starting with mongodb:// or mongodb+srv://, without spaces',
      redacted,
    ),
    MONGODB_DB: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const value = raw?.trim() || 'depictioDB';
        if (!/^[A-Za-z0-9_-]{1,63}$/.test(value)) {
          ctx.addIssue({
            code: 'custom',
            message: `MONGODB_DB must be 1 to 63 letters, digits, "_" or "-" (got "${raw}")`,
          });
          return z.NEVER;
        }
        return value;
      }),
    MONGODB_TIMEOUT_MS: millis('MONGODB_TIMEOUT_MS', 100, 120_000, 10_000),
    INIT_LEASE_MS: millis('INIT_LEASE_MS', 300, 600_000, 30_000),
    INIT_POLL_MS: millis('INIT_POLL_MS', 5, 10_000, 100),
    INIT_WAIT_TIMEOUT_MS: millis('INIT_WAIT_TIMEOUT_MS', 100, 3_600_000, 120_000),
    INIT_WORKER_NAME: optionalText('INIT_WORKER_NAME', /^[\w.:@-]{1,80}$/, '1 to 80 letters, digits or ".:@_-"'),
    // The driver's appName: what the server's logs and currentOp show for this process's connections.
    MONGODB_APP_NAME: optionalText('MONGODB_APP_NAME', /^[\w.:@-]{1,80}$/, '1 to 80 letters, digits or ".:@_-"'),
    INIT_WIPE: flag('INIT_WIPE', false),
    INIT_GENERATION: optionalText('INIT_GENERATION', GENERATION_PATTERN, GENERATION_EXPECTED),
    INIT_RUN_ID: optionalText('INIT_RUN_ID', GENERATION_PATTERN, GENERATION_EXPECTED),
    INIT_ON_BOOT: flag('INIT_ON_BOOT', true),
    CONSOLE_POLL_MS: millis('CONSOLE_POLL_MS', 100, 600_000, 2_000),
    CONSOLE_ACTIVE_POLL_MS: millis('CONSOLE_ACTIVE_POLL_MS', 100, 600_000, 500),
    SEEDS_DIR: z
      .string()
      .optional()
      // Resolved against the working directory at run time, not traced at build time.
      .transform((raw) => path.resolve(/*turbopackIgnore: true*/ process.cwd(), raw?.trim() || 'seeds')),
    ADMIN_EMAIL: optionalText('ADMIN_EMAIL', /^[^\s@]+@[^\s@]+$/, 'an email address'),
    ADMIN_PASSWORD: optionalText('ADMIN_PASSWORD', /^.{8,200}$/, 'at least 8 characters', lengthOnly),
    TEST_USER_PASSWORD: optionalText('TEST_USER_PASSWORD', /^.{8,200}$/, 'at least 8 characters', lengthOnly),
    SESSION_SECRET: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw === '') return undefined;
        // Never echo a secret back, not even a short one.
        if (Buffer.byteLength(raw, 'utf8') < SESSION_SECRET_MIN_BYTES) {
          ctx.addIssue({
            code: 'custom',
            message: `SESSION_SECRET must be at least ${SESSION_SECRET_MIN_BYTES} bytes (got ${Buffer.byteLength(raw, 'utf8')}): ${SECRET_HOWTO}`,
          });
          return z.NEVER;
        }
        return raw;
      }),
    SESSION_MAX_AGE_MS: millis('SESSION_MAX_AGE_MS', 60_000, 30 * 24 * 3_600_000, 8 * 3_600_000),
    // Unset: Secure in production. Switched off only on purpose (plain http on a trusted network).
    SESSION_COOKIE_SECURE: flag('SESSION_COOKIE_SECURE', undefined),
    SIGNIN_WINDOW_MS: millis('SIGNIN_WINDOW_MS', 100, 3_600_000, 60_000),
    SIGNIN_MAX_ATTEMPTS: count('SIGNIN_MAX_ATTEMPTS', 1, 1_000, 5),
    // The proxies whose X-Forwarded-For entries are believed; none by default (the socket's address counts).
    TRUSTED_PROXIES: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const entries = (raw ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const problems = entries.map(proxyEntryProblem).filter((p): p is string => p !== null);
        if (problems.length > 0) {
          ctx.addIssue({ code: 'custom', message: `TRUSTED_PROXIES must be a comma-separated list of IP addresses and CIDR ranges: ${problems.join('; ')}` });
          return z.NEVER;
        }
        return entries;
      }),
    NODE_ENV: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || 'development'),
    PORT: wholeNumber('PORT', 1, 65535, 3000, 'a port number'),
    // The database started when no MONGODB_URI is given (lib/db/embedded.ts).
    EMBEDDED_DB: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const value = raw?.trim() || 'auto';
        if (value === 'auto' || value === 'mongod' || value === 'emulator') return value;
        ctx.addIssue({ code: 'custom', message: `EMBEDDED_DB must be auto, mongod or emulator (got "${raw}")` });
        return z.NEVER;
      }),
    // mongodb-memory-server's own variable: a mongod already on this machine.
    MONGOMS_SYSTEM_BINARY: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || undefined),
  })
  .superRefine((env, ctx) => {
    // A wipe without a shared generation would be asked for once per worker: the incident again.
    if (env.INIT_WIPE && !env.INIT_GENERATION) {
      ctx.addIssue({
        code: 'custom',
        path: ['INIT_GENERATION'],
        message: 'INIT_GENERATION must be set when INIT_WIPE is true: the deployment id every worker of this deployment shares, so the wipe happens once',
      });
    }
  });

export type Config = z.output<typeof envSchema>;

export const isProduction = (cfg: Config): boolean => cfg.NODE_ENV === 'production';

/** Session cookies carry `Secure` in production unless SESSION_COOKIE_SECURE says otherwise. */
export const cookieSecure = (cfg: Config): boolean => cfg.SESSION_COOKIE_SECURE ?? isProduction(cfg);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = envSchema.safeParse(env);
  // Each message names its variable already (the superRefine's too).
  if (!result.success) throw new ConfigError(zodProblems(result.error).map((p) => p.message));
  return result.data;
}

/**
 * What a console server needs on top of a valid configuration: in production, a session secret of
 * at least 32 bytes and configured admin and viewer passwords. Empty when it may start.
 */
export function consoleProblems(cfg: Config): string[] {
  if (!isProduction(cfg)) return [];
  const problems: string[] = [];
  if (!cfg.SESSION_SECRET) {
    problems.push(
      `SESSION_SECRET is not set: in production the console refuses to start without a secret of at least ${SESSION_SECRET_MIN_BYTES} bytes to sign its session cookies; ${SECRET_HOWTO}`,
    );
  }
  if (!cfg.ADMIN_PASSWORD) {
    problems.push("ADMIN_PASSWORD is not set: in production the seeded admin's password must come from configuration (at least 8 characters)");
  }
  if (!cfg.TEST_USER_PASSWORD) {
    // Outside production a random one is made and printed once; a server log must not hold a password.
    problems.push("TEST_USER_PASSWORD is not set: in production the seeded viewer's password must come from configuration (at least 8 characters)");
  }
  return problems;
}

/** Throws ConfigError when a console server may not start with `cfg` (see consoleProblems). */
export function assertConsoleConfig(cfg: Config = config()): Config {
  const problems = consoleProblems(cfg);
  if (problems.length > 0) throw new ConfigError(problems);
  return cfg;
}

/**
 * The environment a child process (a worker, `next start`) starts with: this process's, with
 * `overrides` on top; an override of `undefined` removes the variable.
 */
export function childEnvironment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete env[name];
  return env;
}

/**
 * Where the project lives: every command (npm run …, next start, the tests) runs from it. Not
 * derived from a module's URL, which inside the Next.js server build points into .next/.
 */
export function projectRoot(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.DEPICTIO_CONSOLE_ROOT ?? process.cwd());
}

let cached: Config | undefined;

/** The process's configuration, read once, lazily (so `next build` never needs a database). */
export function config(): Config {
  cached ??= parseConfig();
  return cached;
}

/** The URI the product talks to; absent only when nobody started an embedded database. */
export function requireMongoUri(cfg: Config = config()): string {
  if (!cfg.MONGODB_URI) {
    throw new ConfigError(['MONGODB_URI is not set: point it at a MongoDB server, or start the embedded one with `npm run db`']);
  }
  return cfg.MONGODB_URI;
}

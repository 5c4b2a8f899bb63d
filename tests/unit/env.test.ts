import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactUri } from '../../lib/db/redact-uri';
import { ConfigError, parseConfig } from '../../lib/env';

/** The ConfigError parseConfig throws for `env` (fails the test when it throws nothing else). */
function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env as NodeJS.ProcessEnv);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe('parseConfig', () => {
  it('gives the defaults for an empty environment', () => {
    const cfg = parseConfig({});
    expect(cfg).toMatchObject({
      MONGODB_DB: 'depictioDB',
      MONGODB_TIMEOUT_MS: 10_000,
      INIT_LEASE_MS: 30_000,
      INIT_POLL_MS: 100,
      INIT_WAIT_TIMEOUT_MS: 120_000,
      INIT_WIPE: false,
      INIT_ON_BOOT: true,
      PORT: 3000,
      SEEDS_DIR: path.resolve(process.cwd(), 'seeds'),
    });
    for (const unset of ['MONGODB_URI', 'INIT_GENERATION', 'INIT_RUN_ID', 'INIT_WORKER_NAME', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'TEST_USER_PASSWORD'] as const) {
      expect(cfg[unset], unset).toBeUndefined();
    }
  });

  it('treats blank values as unset', () => {
    expect(parseConfig({ INIT_LEASE_MS: ' ', MONGODB_DB: '', INIT_WIPE: '  ', PORT: '' })).toMatchObject({
      INIT_LEASE_MS: 30_000,
      MONGODB_DB: 'depictioDB',
      INIT_WIPE: false,
      PORT: 3000,
    });
  });

  it('reads valid values', () => {
    const cfg = parseConfig({
      MONGODB_URI: 'mongodb+srv://u:p@cluster0.example.net/?retryWrites=true',
      MONGODB_DB: 'depictio_test-1',
      INIT_LEASE_MS: '300',
      INIT_WIPE: 'yes',
      INIT_GENERATION: 'deploy-2026.11.27:a',
      PORT: '65535',
      SEEDS_DIR: 'other/seeds',
    });
    expect(cfg).toMatchObject({
      MONGODB_URI: 'mongodb+srv://u:p@cluster0.example.net/?retryWrites=true',
      MONGODB_DB: 'depictio_test-1',
      INIT_LEASE_MS: 300,
      INIT_WIPE: true,
      INIT_GENERATION: 'deploy-2026.11.27:a',
      PORT: 65535,
      SEEDS_DIR: path.resolve(process.cwd(), 'other/seeds'),
    });
    expect(parseConfig({ INIT_WIPE: 'OFF' }).INIT_WIPE).toBe(false);
  });

  it.each([
    {
      env: { INIT_LEASE_MS: 'abc' } as Record<string, string>,
      variable: 'INIT_LEASE_MS',
      expected: 'a whole number of milliseconds from 300 to 600000',
      got: 'abc',
    },
    { env: { INIT_LEASE_MS: '299' }, variable: 'INIT_LEASE_MS', expected: 'a whole number of milliseconds from 300 to 600000', got: '299' },
    { env: { INIT_POLL_MS: '1.5' }, variable: 'INIT_POLL_MS', expected: 'a whole number of milliseconds', got: '1.5' },
    { env: { MONGODB_DB: 'bad name' }, variable: 'MONGODB_DB', expected: '1 to 63 letters, digits, "_" or "-"', got: 'bad name' },
    { env: { INIT_WIPE: 'maybe' }, variable: 'INIT_WIPE', expected: 'true or false', got: 'maybe' },
    { env: { PORT: '70000' }, variable: 'PORT', expected: 'a port number from 1 to 65535', got: '70000' },
    { env: { MONGODB_URI: 'http://x' }, variable: 'MONGODB_URI', expected: 'starting with mongodb:// or mongodb+srv://', got: 'http://x' },
    { env: { INIT_GENERATION: '-starts-with-dash' }, variable: 'INIT_GENERATION', expected: 'starting with a letter or digit', got: '-starts-with-dash' },
  ])('rejects $variable=$got, naming the variable and what it expects', ({ env, variable, expected, got }) => {
    const error = configError(env);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(`${variable} must be`);
    expect(error.problems[0]).toContain(expected);
    expect(error.problems[0]).toContain(`(got "${got}")`);
    expect(error.message).toContain(error.problems[0]);
    expect(error.message).toMatch(/^Invalid configuration:/);
  });

  it('rejects INIT_WIPE=true without INIT_GENERATION, and says why a generation is needed', () => {
    const error = configError({ INIT_WIPE: 'true' });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain('INIT_GENERATION must be set when INIT_WIPE is true');
    expect(error.message).toContain('the wipe happens once');
    expect(parseConfig({ INIT_WIPE: 'true', INIT_GENERATION: 'g1' })).toMatchObject({ INIT_WIPE: true, INIT_GENERATION: 'g1' });
  });

  it('reports every wrong variable at once', () => {
    const error = configError({ INIT_LEASE_MS: 'abc', PORT: '0', MONGODB_DB: 'a/b' });
    expect(error.problems).toHaveLength(3);
    for (const variable of ['INIT_LEASE_MS', 'PORT', 'MONGODB_DB']) expect(error.message).toContain(`${variable} must be`);
  });
});

describe('redactUri', () => {
  it.each([
    ['mongodb://admin:s3cret-pass@127.0.0.1:1/', 'mongodb://admin:***@127.0.0.1:1/'],
    [
      'mongodb://admin:s3cret@db1:27017,db2:27017/depictioDB?replicaSet=rs0&authSource=admin',
      'mongodb://admin:***@db1:27017,db2:27017/depictioDB?replicaSet=rs0&authSource=admin',
    ],
    ['mongodb+srv://user:p%40ss%2Fword@cluster0.example.net/?retryWrites=true', 'mongodb+srv://user:***@cluster0.example.net/?retryWrites=true'],
    ['mongodb://user:@host', 'mongodb://user:***@host'],
    // No password: nothing to hide.
    ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27017'],
    ['mongodb://reader@host/db', 'mongodb://reader@host/db'],
    ['mongodb://host/db?appName=a@b', 'mongodb://host/db?appName=a@b'],
    ['mongodb://u:p@host/db?appName=a@b', 'mongodb://u:***@host/db?appName=a@b'],
    // Passwords the driver refuses (unescaped "/", "@" or ":") must not leak either.
    ['mongodb://admin:pass/word@127.0.0.1:1/', 'mongodb://admin:***@127.0.0.1:1/'],
    ['mongodb://admin:p@ss@host', 'mongodb://admin:***@host'],
    ['mongodb://admin:a:b@host', 'mongodb://admin:***@host'],
    // A "?" in the password (before its "@") would otherwise pass for the start of the options.
    ['mongodb://admin:hun?ter2@h/db', 'mongodb://admin:***@h/db'],
    ['mongodb://admin:a?b@c@h/db?w=majority', 'mongodb://admin:***@h/db?w=majority'],
  ])('%s -> %s', (uri, redacted) => {
    expect(redactUri(uri)).toBe(redacted);
  });
});

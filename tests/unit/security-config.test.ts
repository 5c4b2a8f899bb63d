import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, consoleProblems, parseConfig } from '../../lib/env';
import { prepareWorker } from '../../lib/init/prepare';

/** Every problem parseConfig reports for `env`, as one text (the test fails when it accepts `env`). */
function problemsOf(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('parseConfig accepted the environment');
}

describe('configuration errors never echo a secret', () => {
  it.each([
    ['ADMIN_PASSWORD', 'Hunter2'],
    ['TEST_USER_PASSWORD', 'short'],
  ])('%s: names the rule and the length, never the value', (variable, value) => {
    const message = problemsOf({ [variable]: value });
    expect(message).toContain(`${variable} must be at least 8 characters (got ${value.length})`);
    expect(message).not.toContain(value);
  });

  it.each([
    // A trailing or leading space makes the URI invalid: it is still shown only redacted.
    ['mongodb://admin:s3cret-pass@db.example:27017/ ', 's3cret-pass', 'mongodb://admin:***@db.example:27017/'],
    [' mongodb://admin:s3cret-pass@db.example:27017/', 's3cret-pass', 'mongodb://admin:***@db.example:27017/'],
    ['mongodb://admin:s3cret pass@db.example/', 's3cret pass', 'mongodb://admin:***@db.example/'],
    ['mongodb://admin:hun?ter2@db.example/db ', 'hun?ter2', 'mongodb://admin:***@db.example/db'],
    // Another scheme: nothing of its credentials either.
    ['postgres://admin:s3cret-pass@db.example/', 's3cret-pass', 'MONGODB_URI must be'],
    ['admin:s3cret-pass@db.example', 's3cret-pass', 'MONGODB_URI must be'],
  ])('MONGODB_URI %j is shown without its password', (uri, password, shown) => {
    const message = problemsOf({ MONGODB_URI: uri });
    expect(message).toContain(shown);
    expect(message).not.toContain(password);
  });

  it('still shows non-secret values, to say what was wrong', () => {
    expect(problemsOf({ MONGODB_URI: 'http://x' })).toContain('(got "http://x")');
    expect(problemsOf({ PORT: 'abc' })).toContain('(got "abc")');
  });
});

describe('the generated viewer password', () => {
  it('is required in production (a generated one would be printed in the server log)', () => {
    const production = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), ADMIN_PASSWORD: 'configured-admin' };
    expect(consoleProblems(parseConfig(production))).toEqual([expect.stringMatching(/^TEST_USER_PASSWORD is not set: in production/)]);
    expect(consoleProblems(parseConfig({ ...production, TEST_USER_PASSWORD: 'configured-viewer' }))).toEqual([]);
    // Outside production it is still generated and printed once.
    expect(consoleProblems(parseConfig({}))).toEqual([]);
  });

  it('is required in production by a worker started from the command line too', async () => {
    const production = parseConfig({ NODE_ENV: 'production', ADMIN_PASSWORD: 'configured-admin' });
    await expect(prepareWorker(production, { wipe: false, runId: 'r1' })).rejects.toThrow(/TEST_USER_PASSWORD must be set in production/);
  });
});

describe('GET /api/health without a database', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('says only "unavailable": no host, no port, no driver message', async () => {
    process.env.MONGODB_URI = 'mongodb://admin:s3cret-pass@127.0.0.1:9/';
    process.env.MONGODB_TIMEOUT_MS = '300';
    const { GET } = await import('../../app/api/health/route');
    const response = await GET();
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: 'unavailable' });
    for (const leak of ['127.0.0.1', ':9', 's3cret', 'MongoDB']) expect(text).not.toContain(leak);
  });
});

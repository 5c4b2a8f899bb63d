import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

describe('an unreachable database', () => {
  it('the worker fails fast, bounded by the wait timeout, and never prints the password', async () => {
    const result = await runCli('worker', [], {
      MONGODB_URI: 'mongodb://admin:s3cret-pass@127.0.0.1:1/',
      MONGODB_DB: 'unreachable_test',
      INIT_WAIT_TIMEOUT_MS: '1500',
      MONGODB_TIMEOUT_MS: '60000',
    });
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot reach MongoDB at mongodb://admin:***@127.0.0.1:1');
    expect(result.stderr).toContain('within 1500 ms');
    expect(result.stdout + result.stderr).not.toContain('s3cret-pass');
    // Far below the 60 s Mongo timeout: the wait timeout bounds it (process start-up included).
    expect(result.ms).toBeLessThan(15_000);
  }, 60_000);

  it('a connection string the driver cannot parse is reported without its password', async () => {
    // An unescaped "/" in the password: the driver refuses the string; the report must still hide it.
    const result = await runCli('worker', [], {
      MONGODB_URI: 'mongodb://admin:pass/word@127.0.0.1:1/',
      MONGODB_DB: 'unreachable_test',
      INIT_WAIT_TIMEOUT_MS: '1500',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unescaped|cannot reach MongoDB/);
    expect(result.stdout + result.stderr).not.toContain('pass/word');
    expect(result.ms).toBeLessThan(15_000);
  }, 60_000);
});

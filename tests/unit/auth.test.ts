import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { REFUSED, runGuarded, type AuditEntry, type GuardDeps } from '../../lib/auth/action-guard';
import { safeNextPath } from '../../lib/auth/next-path';
import { createSessionToken, readCookie, sessionCookieOptions, verifySessionToken } from '../../lib/auth/session';
import { ConfigError, assertConsoleConfig, consoleProblems, parseConfig } from '../../lib/env';
import { SEEDED_ADMIN, SEEDED_VIEWER } from '../support/session';

const secret = new TextEncoder().encode('unit-test-secret-unit-test-secret-0123');

describe('session tokens', () => {
  it('carry the user id, email, role, issue and expiry times, and verify with the same key only', async () => {
    const now = new Date('2026-11-27T10:00:00Z');
    vi.useFakeTimers({ now, toFake: ['Date'] });
    try {
      const token = await createSessionToken(SEEDED_ADMIN, { secret, maxAgeMs: 3_600_000, now });
      expect(await verifySessionToken(token, secret)).toEqual({
        ...SEEDED_ADMIN,
        epoch: 0,
        issuedAt: now,
        expiresAt: new Date('2026-11-27T11:00:00Z'),
      });
      expect(await verifySessionToken(token, new TextEncoder().encode('another-secret-another-secret-0123456'))).toBeNull();
      // One second past the expiry (jose allows no clock tolerance unless told).
      vi.setSystemTime(new Date('2026-11-27T11:00:01Z'));
      expect(await verifySessionToken(token, secret)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuse a changed payload, another algorithm, and garbage', async () => {
    const token = await createSessionToken(SEEDED_VIEWER, { secret, maxAgeMs: 60_000 });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(await verifySessionToken(`${header}.${promoted}.${signature}`, secret)).toBeNull();
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(await verifySessionToken(`${none}.${promoted}.`, secret)).toBeNull();
    for (const junk of ['', 'x', 'a.b.c', undefined, null, 'x'.repeat(5000)]) expect(await verifySessionToken(junk, secret)).toBeNull();
  });

  it('the cookie: HttpOnly, SameSite=Lax, an expiry, Secure in production (unless switched off)', () => {
    expect(sessionCookieOptions(parseConfig({}))).toEqual({ httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAge: 8 * 3600 });
    const production = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), ADMIN_PASSWORD: 'configured', TEST_USER_PASSWORD: 'configured-too' };
    expect(sessionCookieOptions(parseConfig(production)).secure).toBe(true);
    expect(sessionCookieOptions(parseConfig({ ...production, SESSION_COOKIE_SECURE: 'false' })).secure).toBe(false);
    expect(sessionCookieOptions(parseConfig({ SESSION_MAX_AGE_MS: '600000' })).maxAge).toBe(600);
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; console_session=abc.def; b=2', 'console_session')).toBe('abc.def');
    expect(readCookie('console_session_x=1', 'console_session')).toBeUndefined();
    expect(readCookie(null, 'console_session')).toBeUndefined();
  });
});

describe('configuration for a console server', () => {
  it('in production: refuses to start without a SESSION_SECRET, or the admin password, with a message saying what to do', () => {
    const problems = consoleProblems(parseConfig({ NODE_ENV: 'production' }));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^SESSION_SECRET is not set: in production the console refuses to start without a secret of at least 32 bytes/);
    expect(problems[0]).toContain('openssl rand -base64 32');
    expect(problems[1]).toMatch(/^ADMIN_PASSWORD is not set/);
    expect(problems[2]).toMatch(/^TEST_USER_PASSWORD is not set/);
    expect(() => assertConsoleConfig(parseConfig({ NODE_ENV: 'production' }))).toThrow(ConfigError);
    expect(
      consoleProblems(
        parseConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), ADMIN_PASSWORD: 'long-enough', TEST_USER_PASSWORD: 'long-enough-too' }),
      ),
    ).toEqual([]);
    // Outside production a secret is made up per process (lib/auth/session.ts) and a password is generated.
    expect(consoleProblems(parseConfig({}))).toEqual([]);
  });

  it('counts a secret in bytes, needs 32, and never echoes it', () => {
    const short = 'é'.repeat(15); // 30 bytes
    let error: unknown;
    try {
      parseConfig({ SESSION_SECRET: short });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('SESSION_SECRET must be at least 32 bytes (got 30)');
    expect((error as ConfigError).message).not.toContain(short);
    expect(parseConfig({ SESSION_SECRET: 'é'.repeat(16) }).SESSION_SECRET).toBe('é'.repeat(16));
  });

  it('reads the sign-in limits', () => {
    expect(parseConfig({})).toMatchObject({ SIGNIN_WINDOW_MS: 60_000, SIGNIN_MAX_ATTEMPTS: 5, SESSION_MAX_AGE_MS: 8 * 3_600_000 });
    expect(parseConfig({ SIGNIN_WINDOW_MS: '1500', SIGNIN_MAX_ATTEMPTS: '3' })).toMatchObject({ SIGNIN_WINDOW_MS: 1500, SIGNIN_MAX_ATTEMPTS: 3 });
    expect(() => parseConfig({ SIGNIN_MAX_ATTEMPTS: '0' })).toThrow('SIGNIN_MAX_ATTEMPTS must be a whole number from 1 to 1000');
  });
});

describe('where to go after signing in', () => {
  it.each([
    [undefined, '/'],
    ['/workers?run=r1', '/workers?run=r1'],
    ['/dashboards/abc#x', '/dashboards/abc#x'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/sign-in?next=/', '/'],
    ['relative', '/'],
  ])('%s -> %s', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
});

describe('the action guard', () => {
  const schema = z.object({ n: z.number().int() });
  const deps = (audited: AuditEntry[], revoked: string[] = []): GuardDeps => ({
    secret: () => secret,
    isCurrent: async (session) => !revoked.includes(session.userId),
    db: async () => {
      throw new Error('no database in unit tests');
    },
    audit: async (entry) => {
      audited.push(entry);
    },
  });
  const token = (user = SEEDED_ADMIN) => createSessionToken(user, { secret, maxAgeMs: 60_000 });

  it('checks the session, then the role, then the input, before the handler; records what a known user asked', async () => {
    const audited: AuditEntry[] = [];
    const handler = vi.fn(async (input: { n: number }) => ({ ok: true as const, doubled: input.n * 2 }));
    const action = { name: 'double', access: 'admin' as const, schema, handler };

    expect(await runGuarded(action, undefined, { n: 1 }, deps(audited))).toEqual({ ok: false, code: 'unauthenticated', error: REFUSED.unauthenticated });
    expect(await runGuarded(action, 'forged', { n: 1 }, deps(audited))).toMatchObject({ code: 'unauthenticated' });
    // A signed token whose session was revoked (signed out, role changed) is nobody too.
    expect(await runGuarded(action, await token(), { n: 1 }, deps(audited, [SEEDED_ADMIN.userId]))).toMatchObject({ code: 'unauthenticated' });
    expect(handler).not.toHaveBeenCalled();
    expect(audited).toEqual([]); // nobody to name

    expect(await runGuarded(action, await token(SEEDED_VIEWER), { n: 1 }, deps(audited))).toEqual({ ok: false, code: 'forbidden', error: REFUSED.forbidden });
    expect(audited.at(-1)).toMatchObject({ action: 'double', outcome: 'forbidden', session: { email: 'test_user@example.com', role: 'viewer' } });

    const invalid = await runGuarded(action, await token(), { n: 'two', password: 'hunter2' }, deps(audited));
    expect(invalid).toMatchObject({ ok: false, code: 'invalid', issues: [expect.stringMatching(/^n: /)] });
    expect(audited.at(-1)).toMatchObject({ outcome: 'invalid', params: { n: 'two', password: '***' } });
    expect(handler).not.toHaveBeenCalled();

    expect(await runGuarded(action, await token(), { n: 21 }, deps(audited))).toEqual({ ok: true, doubled: 42 });
    expect(audited.at(-1)).toMatchObject({ action: 'double', outcome: 'ok', params: { n: 21 }, session: { email: 'admin@example.com' } });
  });

  it('takes its input from a form too, and never throws: an error becomes a refusal without internals', async () => {
    const audited: AuditEntry[] = [];
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const form = new FormData();
    form.set('n', '3');
    const coerce = {
      name: 'form',
      access: 'signed-in' as const,
      schema: z.object({ n: z.coerce.number() }),
      handler: async (input: { n: number }) => ({ ok: true as const, n: input.n }),
    };
    expect(await runGuarded(coerce, await token(SEEDED_VIEWER), form, deps(audited))).toEqual({ ok: true, n: 3 });
    const crash = {
      name: 'crash',
      access: 'admin' as const,
      schema: z.unknown(),
      handler: async (): Promise<{ ok: true }> => {
        throw new Error('secret internals');
      },
    };
    const result = await runGuarded(crash, await token(), {}, deps(audited));
    expect(result).toEqual({ ok: false, code: 'failed', error: REFUSED.failed });
    expect(JSON.stringify(audited)).not.toContain('secret internals');
    expect(audited.at(-1)).toMatchObject({ action: 'crash', outcome: 'failed' });
    log.mockRestore();
  });

  it('lets anyone call a public action, with or without a session', async () => {
    const audited: AuditEntry[] = [];
    const action = {
      name: 'hello',
      access: 'public' as const,
      schema: z.unknown(),
      handler: async (_: unknown, ctx: { session: unknown }) => ({ ok: true as const, signedIn: ctx.session !== null }),
    };
    expect(await runGuarded(action, undefined, null, deps(audited))).toEqual({ ok: true, signedIn: false });
    expect(await runGuarded(action, await token(SEEDED_VIEWER), null, deps(audited))).toEqual({ ok: true, signedIn: true });
    expect(audited).toEqual([]);
  });
});

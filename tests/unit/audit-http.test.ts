import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DatabaseUnreachableError } from '../../lib/db/client';
import { ConfigError } from '../../lib/env';
import { signedSessionFromRequest } from '../../lib/auth/session';
import { HttpError, guarded as guardedWithRevocation, parseQuery } from '../../lib/http/guard';
import { wholeNumberSchema } from '../../lib/whole-number';
import { SEEDED_ADMIN, SEEDED_VIEWER, sessionCookie } from '../support/session';

// No database here: the signature and expiry only (revocation: tests/integration/sign-in-sessions.test.ts).
const guarded: typeof guardedWithRevocation = (handler) => guardedWithRevocation(handler, { session: (request) => signedSessionFromRequest(request) });

// A viewer's session: every route answers any signed-in user.
let cookie = '';
const request = (path = '/api/x') => new Request(`http://console.test${path}`, { headers: { cookie } });

describe('guarded', () => {
  beforeAll(async () => {
    cookie = await sessionCookie(SEEDED_VIEWER);
  });
  afterEach(() => vi.restoreAllMocks());

  it('answers 401 without a valid session, before the handler runs', async () => {
    const handler = vi.fn(async () => Response.json({ ok: true }));
    const route = guarded(handler);
    const token = cookie.split('=')[1]!;
    const [header, payload, signature] = token.split('.');
    const tampered = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    tampered.role = 'admin';
    const forged = `${header}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${signature}`;
    for (const headers of [
      {} as Record<string, string>,
      { cookie: 'console_session=not-a-token' },
      { cookie: `console_session=${forged}` },
      { cookie: await sessionCookie(SEEDED_ADMIN, { now: new Date(Date.now() - 7_200_000), maxAgeMs: 3_600_000 }) },
      { cookie: await sessionCookie(SEEDED_ADMIN, { secret: 'a-different-secret-of-at-least-32-bytes' }) },
    ]) {
      const response = await route(new Request('http://console.test/api/x', { headers }));
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(await response.json()).toEqual({ error: 'sign in first: this needs a session' });
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('hands the session to the handler', async () => {
    const response = await guarded(async (_request, session) => Response.json({ email: session.email, role: session.role }))(request());
    expect(await response.json()).toEqual({ email: 'test_user@example.com', role: 'viewer' });
  });

  it('passes a response through', async () => {
    const response = await guarded(async () => Response.json({ ok: true }))(request());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers an HttpError with its status and message, as JSON', async () => {
    const response = await guarded(async () => {
      throw new HttpError(404, 'no such thing');
    })(request());
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no such thing' });
  });

  it('answers 503 with the password-free reason when the database cannot be reached', async () => {
    const response = await guarded(async () => {
      throw new DatabaseUnreachableError('mongodb://user:secret@db.example:27017', 500, new Error('timed out'));
    })(request());
    expect(response.status).toBe(503);
    const { error } = await response.json();
    expect(error).toContain('database unavailable: cannot reach MongoDB at');
    expect(error).not.toContain('secret');
  });

  it('hides the details of configuration and unexpected errors (logged on the server instead)', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const config = await guarded(async () => {
      throw new ConfigError(['MONGODB_URI must be ... (got "mongodb://user:secret@x")']);
    })(request());
    expect(config.status).toBe(503);
    expect(JSON.stringify(await config.json())).not.toContain('secret');
    const crash = await guarded(async () => {
      throw new Error('internal detail');
    })(request('/api/audit'));
    expect(crash.status).toBe(500);
    expect(await crash.json()).toEqual({ error: 'internal error; see the server log' });
    expect(log).toHaveBeenCalledTimes(2);
    expect(String(log.mock.calls[1]![0])).toContain('GET /api/audit failed');
  });
});

describe('parseQuery', () => {
  const schema = z.object({ limit: wholeNumberSchema({ min: 1, max: 50 }).default(5), run: z.string().optional() });

  it('parses the query string with the schema (first value of a repeated key)', () => {
    expect(parseQuery(schema, 'http://x/api?limit=7&run=a&run=b')).toEqual({ limit: 7, run: 'a' });
    expect(parseQuery(schema, 'http://x/api')).toEqual({ limit: 5 });
    // An empty value is an absent one, as the pages read their URL (firstParam).
    expect(parseQuery(schema, 'http://x/api?limit=&run=a')).toEqual({ limit: 5, run: 'a' });
  });

  it('throws a 400 HttpError naming each problem', () => {
    expect(() => parseQuery(schema, 'http://x/api?limit=500')).toThrow(HttpError);
    try {
      parseQuery(schema, 'http://x/api?limit=500');
    } catch (error) {
      expect((error as HttpError).status).toBe(400);
      expect((error as HttpError).message).toBe('limit: must be at most 50');
    }
  });
});

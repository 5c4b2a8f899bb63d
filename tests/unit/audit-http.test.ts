import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DatabaseUnreachableError } from '../../lib/db/client';
import { ConfigError } from '../../lib/env';
import { HttpError, guarded, parseQuery } from '../../lib/http/guard';

const request = (path = '/api/x') => new Request(`http://console.test${path}`);

describe('guarded', () => {
  afterEach(() => vi.restoreAllMocks());

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
  const schema = z.object({ limit: z.coerce.number().int().min(1).max(50).default(5), run: z.string().optional() });

  it('parses the query string with the schema (first value of a repeated key)', () => {
    expect(parseQuery(schema, 'http://x/api?limit=7&run=a&run=b')).toEqual({ limit: 7, run: 'a' });
    expect(parseQuery(schema, 'http://x/api')).toEqual({ limit: 5 });
  });

  it('throws a 400 HttpError naming each problem', () => {
    expect(() => parseQuery(schema, 'http://x/api?limit=500')).toThrow(HttpError);
    try {
      parseQuery(schema, 'http://x/api?limit=500');
    } catch (error) {
      expect((error as HttpError).status).toBe(400);
      expect((error as HttpError).message).toMatch(/^limit: /);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEEDED_ADMIN, sessionCookie } from '../support/session';
import { startConsole, type ConsoleServer } from './support/console-server';

/**
 * During a database outage the console answers at once ("unavailable") instead of holding every
 * request for the server selection timeout, and it recovers by itself when the database is back.
 * The timeout here is the default 10 s, so a request that waits for it is told apart at once.
 */
const TIMEOUT_MS = 10_000;
let server: ConsoleServer;
const trace: string[] = [];

async function timed(path: string, cookie?: string): Promise<{ status: number; ms: number; body: string }> {
  const started = Date.now();
  const response = await fetch(`${server.url}${path}`, cookie ? { headers: { cookie } } : {});
  const body = await response.text();
  trace.push(`${started % 100000} ${path} ${response.status} ${Date.now() - started}ms`);
  return { status: response.status, ms: Date.now() - started, body };
}

async function until(path: string, wanted: (status: number) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!wanted((await timed(path)).status)) {
    if (Date.now() > deadline) throw new Error(`${path} did not reach the wanted status within ${timeoutMs} ms\n${trace.slice(-8).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  server = await startConsole({ MONGODB_TIMEOUT_MS: String(TIMEOUT_MS) });
}, 300_000);
afterAll(async () => server?.stop());

describe('a database outage', () => {
  it('fails fast once the driver knows the server is down, and recovers when it is back', async () => {
    if (!server.canStopDatabase) return;
    expect((await timed('/api/health')).status).toBe(200);
    await server.stopDatabase();
    // The first request after the outage may be the one that finds out.
    await until('/api/health', (status) => status === 503, 3 * TIMEOUT_MS);
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await timed('/api/health'));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
    // Each well under the 10 s a request would wait for server selection.
    for (const answer of answers) expect(answer.ms, trace.join('\n') + server.log().slice(-3000)).toBeLessThan(TIMEOUT_MS / 4);

    // Signed in, too: the status (what the pages poll), a view's API and the overview page itself,
    // which shows the unreachable banner.
    const cookie = await sessionCookie(SEEDED_ADMIN, { secret: server.env.SESSION_SECRET! });
    // The session's own check needs the database: the guard answers 503, which the pages read as
    // unreachable just like the status's own { reachable: false }.
    const status = await timed('/api/status', cookie);
    if (status.status === 200) expect(JSON.parse(status.body)).toMatchObject({ reachable: false });
    else expect(status.status).toBe(503);
    const overview = await timed('/api/overview', cookie);
    expect(overview.status).toBe(503);
    const page = await timed('/', cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('The database cannot be reached');
    for (const answer of [status, overview, page]) expect(answer.ms, trace.join('\n')).toBeLessThan(TIMEOUT_MS / 4);

    await server.startDatabase();
    await until('/api/health', (status) => status === 200, 3 * TIMEOUT_MS);
  }, 120_000);
});

/**
 * The per-address sign-in limit against a forged X-Forwarded-For, over HTTP against the production
 * build (`next start` served directly, as in the issue), and behind a proxy the operator trusts.
 */
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { SIGN_IN_FAILED } from '../../lib/auth/sign-in';
import { SIGNIN_ATTEMPTS } from '../../lib/db/collections';
import { runCli } from '../support/cli';
import { TEST_PASSWORDS } from '../support/seeds';
import { actionReturnValue, findAction } from './support/actions';
import { ADMIN, startConsole, type ConsoleServer } from './support/console-server';

const servers: ConsoleServer[] = [];
const clients: MongoClient[] = [];
afterAll(async () => {
  for (const client of clients) await client.close();
  for (const server of servers) await server.stop();
});

async function console_(env: Record<string, string> = {}) {
  const server = await startConsole(env);
  servers.push(server);
  const seeded = await runCli('workers', ['-n', '1'], { MONGODB_URI: server.dbUri, MONGODB_DB: server.dbName, ...TEST_PASSWORDS });
  if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stdout}\n${seeded.stderr}`);
  const client = await new MongoClient(server.dbUri).connect();
  clients.push(client);
  return { server, db: client.db(server.dbName) };
}

/** The sign-in form's action, posted with a header of the caller's choosing. */
async function signInWith(server: ConsoleServer, password: string, headers: Record<string, string>) {
  const action = findAction('signInAction');
  const response = await fetch(`${server.url}${action.pagePath}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Next-Action': action.id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component', ...headers },
    body: JSON.stringify([null, { email: ADMIN.email, password, next: '/' }]),
  });
  return { result: actionReturnValue(await response.text()), cookies: response.headers.getSetCookie() };
}

describe('X-Forwarded-For', () => {
  it('served directly (no TRUSTED_PROXIES): a header the client makes up is ignored; the socket address is counted', async () => {
    const { server, db } = await console_();
    for (let i = 0; i < 8; i += 1) {
      const answer = await signInWith(server, `wrong-${i}`, {
        'X-Forwarded-For': `198.51.100.${i}`,
        'X-Real-IP': `198.51.100.${i}`,
        'x-console-peer': `forged 198.51.100.${i}`,
      });
      expect(answer.result).toEqual({ ok: false, code: 'invalid', error: SIGN_IN_FAILED });
    }
    const keys = (
      await db
        .collection(SIGNIN_ATTEMPTS)
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((d) => String(d._id));
    expect(keys.filter((k) => k.includes('198.51.100.'))).toEqual([]);
    const pair = await db.collection(SIGNIN_ATTEMPTS).findOne({ _id: 'pair:admin@example.com|127.0.0.1' as never });
    // Five wrong passwords were checked from 127.0.0.1; the other three were refused unchecked.
    expect((pair?.entries as Array<{ failed: boolean }>).filter((e) => e.failed)).toHaveLength(5);
    // And the right password from there is refused too: rotating the header bought nothing.
    const right = await signInWith(server, ADMIN.password, { 'X-Forwarded-For': '198.51.100.200' });
    expect(right.cookies.some((c) => /^console_session=[^;]/.test(c))).toBe(false);
  });

  it('behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1): the address the proxy appended counts', async () => {
    const { server, db } = await console_({ TRUSTED_PROXIES: '127.0.0.1, ::1' });
    await signInWith(server, 'wrong', { 'X-Forwarded-For': 'made-up-by-client, 203.0.113.7' });
    const keys = (
      await db
        .collection(SIGNIN_ATTEMPTS)
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((d) => String(d._id));
    expect(keys).toContain('address:203.0.113.7');
    expect(keys.filter((k) => k.includes('made-up') || k.includes('127.0.0.1'))).toEqual([]);
    const ok = await signInWith(server, ADMIN.password, { 'X-Forwarded-For': '203.0.113.8' });
    expect(ok.cookies.some((c) => /^console_session=[^;]/.test(c))).toBe(true);
  });
});

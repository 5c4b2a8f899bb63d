import { beforeAll, describe, expect, it } from 'vitest';
import { verifySessionToken, createSessionToken } from '../../lib/auth/session';
import { SIGN_IN_FAILED, signIn } from '../../lib/auth/sign-in';
import { SIGNIN_ATTEMPTS, USERS } from '../../lib/db/collections';
import { runWorker } from '../../lib/init/run-worker';
import { workerIdentity } from '../../lib/lock/identity';
import { useTestDb } from '../support/db';
import { TEST_PASSWORDS, loadTestSeeds } from '../support/seeds';
import { SEEDED_ADMIN } from '../support/session';

const { db } = useTestDb(import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A short window, so "it works again after the window" takes seconds; the default is a minute.
const WINDOW_MS = 3_000;
const limits = { SIGNIN_WINDOW_MS: WINDOW_MS, SIGNIN_MAX_ATTEMPTS: 5 };
const ADMIN = { email: 'admin@example.com', password: TEST_PASSWORDS.ADMIN_PASSWORD };
const VIEWER = { email: 'test_user@example.com', password: TEST_PASSWORDS.TEST_USER_PASSWORD };

async function seed(generation: string, wipe: boolean) {
  const outcome = await runWorker(db(), {
    identity: workerIdentity(`seeder-${generation}`),
    seeds: await loadTestSeeds(),
    wipe,
    generation,
    runId: `run-${generation}`,
    leaseMs: 5_000,
    pollMs: 20,
    waitTimeoutMs: 10_000,
  });
  expect(outcome.outcome).toBe('acquired');
}

describe('signing in against the users collection', () => {
  beforeAll(() => seed('g-users', false));

  it('gives admins the admin role and other users the viewer role', async () => {
    expect(await signIn(db(), ADMIN, 'addr-roles', limits)).toEqual({ ok: true, user: SEEDED_ADMIN });
    expect(await signIn(db(), VIEWER, 'addr-roles', limits)).toMatchObject({ ok: true, user: { email: VIEWER.email, role: 'viewer' } });
  });

  it('refuses a wrong password, a wrong email and the sixth attempt in the window with one message; the right password works after the window', async () => {
    const address = 'addr-limit';
    const started = Date.now();
    const answers = [
      await signIn(db(), { ...ADMIN, password: 'wrong-password' }, address, limits),
      await signIn(db(), { email: 'nobody@example.com', password: ADMIN.password }, address, limits),
      await signIn(db(), { ...ADMIN, password: '' }, address, limits), // malformed: the same answer
      await signIn(db(), { ...ADMIN, password: 'wrong-again' }, address, limits),
      await signIn(db(), { ...ADMIN, password: 'wrong-a-third-time' }, address, limits),
      await signIn(db(), { ...ADMIN, password: 'wrong-a-fourth-time' }, address, limits),
      // The sixth counted attempt: refused although the password is right.
      await signIn(db(), ADMIN, address, limits),
    ];
    expect(Date.now() - started).toBeLessThan(WINDOW_MS);
    for (const answer of answers) expect(answer).toEqual({ ok: false, error: SIGN_IN_FAILED });
    // From another address, the email alone is over its limit too.
    expect(await signIn(db(), ADMIN, 'addr-elsewhere', limits)).toEqual({ ok: false, error: SIGN_IN_FAILED });

    await sleep(WINDOW_MS + 200);
    expect(await signIn(db(), ADMIN, address, limits)).toMatchObject({ ok: true, user: { email: ADMIN.email, role: 'admin' } });
  });

  it('limits an address across emails (password spraying), and a successful sign-in does not use up the allowance', async () => {
    for (let i = 0; i < 8; i += 1) expect(await signIn(db(), VIEWER, 'addr-busy', limits), `sign-in ${i + 1}`).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i += 1) {
      expect(await signIn(db(), { email: `user${i}@example.com`, password: 'guess' }, 'addr-spray', limits)).toMatchObject({ ok: false });
    }
    expect(await signIn(db(), VIEWER, 'addr-spray', limits)).toEqual({ ok: false, error: SIGN_IN_FAILED });
    expect(await signIn(db(), VIEWER, 'addr-other', limits)).toMatchObject({ ok: true });
  });

  it('holds the limit under 20 attempts at once (each reserves its attempt atomically before any check)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(db(), { email: 'burst@example.com', password: `guess-${i}` }, `addr-burst-${i}`, limits)),
    );
    expect(answers.every((a) => !a.ok)).toBe(true);
    const doc = await db().collection(SIGNIN_ATTEMPTS).findOne({ _id: 'email:burst@example.com' as never });
    // Only the last attempts are kept, one more than the limit: enough to know the limit is passed.
    expect(doc?.attempts).toHaveLength(6);
    expect(doc?.expires_at).toBeInstanceOf(Date);
    expect(await db().collection(SIGNIN_ATTEMPTS).indexExists('expires_ttl')).toBe(true);
  });

  it('keeps the counters through a reseed, and a session from before the reseed stays valid', async () => {
    const secret = new TextEncoder().encode('integration-secret-integration-secret');
    const token = await createSessionToken(SEEDED_ADMIN, { secret, maxAgeMs: 60_000 });
    for (let i = 0; i < 5; i += 1) await signIn(db(), { ...VIEWER, password: 'wrong' }, 'addr-reseed', limits);
    const usersBefore = await db().collection(USERS).find({}, { sort: { _id: 1 } }).toArray();

    await seed('g-reseed', true); // wipe, then seed: the users are deleted and written again

    expect(await db().collection(SIGNIN_ATTEMPTS).countDocuments({ _id: 'address:addr-reseed' as never })).toBe(1);
    expect(await signIn(db(), VIEWER, 'addr-reseed', limits)).toEqual({ ok: false, error: SIGN_IN_FAILED });
    // Same ids, same hashes (deterministic salt), and the stateless session does not depend on them.
    const usersAfter = await db().collection(USERS).find({}, { sort: { _id: 1 } }).toArray();
    expect(usersAfter.map(({ _id, email, password }) => ({ _id, email, password }))).toEqual(usersBefore.map(({ _id, email, password }) => ({ _id, email, password })));
    expect(await verifySessionToken(token, secret)).toMatchObject(SEEDED_ADMIN);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS_FACTOR, backoffMs } from '../../lib/auth/rate-limit';
import { SIGN_IN_FAILED, signIn } from '../../lib/auth/sign-in';
import { SIGNIN_ATTEMPTS } from '../../lib/db/collections';
import { runWorker } from '../../lib/init/run-worker';
import { workerIdentity } from '../../lib/lock/identity';
import { useTestDb } from '../support/db';
import { TEST_PASSWORDS, loadTestSeeds } from '../support/seeds';

const { db } = useTestDb(import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A short window, so "after the window" takes seconds; the default is a minute.
const WINDOW_MS = 3_000;
const limits = { SIGNIN_WINDOW_MS: WINDOW_MS, SIGNIN_MAX_ATTEMPTS: 5 };
const options = { windowMs: WINDOW_MS, maxAttempts: 5 };
// For tests that only count: twenty password checks on a loaded machine can outlast 3 s.
const countingLimits = { SIGNIN_WINDOW_MS: 60_000, SIGNIN_MAX_ATTEMPTS: 5 };
const ADMIN = { email: 'admin@example.com', password: TEST_PASSWORDS.ADMIN_PASSWORD };
const VIEWER = { email: 'test_user@example.com', password: TEST_PASSWORDS.TEST_USER_PASSWORD };
const wrong = (i: number) => ({ ...ADMIN, password: `wrong-password-${i}` });
const failed = { ok: false, error: SIGN_IN_FAILED };

/** The failed password checks recorded for a key (an attempt refused by a limit was never checked). */
async function failures(key: string): Promise<number> {
  const doc = await db()
    .collection(SIGNIN_ATTEMPTS)
    .findOne({ _id: key as never });
  return ((doc?.entries ?? []) as Array<{ failed: boolean; at: Date }>).filter((e) => e.failed && e.at.getTime() > Date.now() - WINDOW_MS).length;
}

beforeAll(async () => {
  const outcome = await runWorker(db(), {
    identity: workerIdentity('seeder'),
    seeds: await loadTestSeeds(),
    wipe: false,
    generation: 'g-limits',
    runId: 'run-g-limits',
    leaseMs: 5_000,
    pollMs: 20,
    waitTimeoutMs: 10_000,
  });
  expect(outcome.outcome).toBe('acquired');
});

describe('no admin lockout', () => {
  it('a stranger guessing the admin password from elsewhere does not keep the admin out', async () => {
    // The attack: wrong passwords for the admin, and more, for as long as it goes on.
    for (let i = 0; i < 5; i += 1) expect(await signIn(db(), wrong(i), 'addr-attacker', limits)).toEqual(failed);
    for (let i = 0; i < 10; i += 1) expect(await signIn(db(), wrong(10 + i), 'addr-attacker', limits)).toMatchObject(failed);
    // The admin, from an address with no failures: straight in, and again.
    expect(await signIn(db(), ADMIN, 'addr-admin-office', limits)).toMatchObject({ ok: true, user: { email: ADMIN.email, role: 'admin' } });
    expect(await signIn(db(), ADMIN, 'addr-admin-office', limits)).toMatchObject({ ok: true });
    // Only five of the stranger's fifteen tries were checked: the rest were refused unchecked.
    expect(await failures('pair:admin@example.com|addr-attacker')).toBe(5);
    // Even their right password is refused from there now: guessing stays slow.
    expect(await signIn(db(), ADMIN, 'addr-attacker', limits)).toMatchObject({ ...failed, refused: 'pair' });
  });

  it("the admin's own typo under attack: a short back-off, not a block", async () => {
    for (let i = 0; i < 8; i += 1) await signIn(db(), wrong(100 + i), `addr-botnet-${i}`, limits);
    expect(await signIn(db(), wrong(200), 'addr-admin-home', limits)).toEqual(failed);
    // Nine failures or more on the account, one from here: this address waits (at least 0.8 s), then gets in.
    const wait = backoffMs(await failures('account:admin@example.com'), options);
    expect(wait).toBeGreaterThanOrEqual(800);
    expect(wait).toBeLessThanOrEqual(WINDOW_MS);
    expect(await signIn(db(), ADMIN, 'addr-admin-home', limits)).toMatchObject({ ...failed, refused: 'backoff' });
    await sleep(wait + 50);
    expect(await signIn(db(), ADMIN, 'addr-admin-home', limits)).toMatchObject({ ok: true });
  });

  it('refused attempts do not extend the block: the window ends on time however often they come', async () => {
    await sleep(WINDOW_MS);
    const started = Date.now();
    for (let i = 0; i < 5; i += 1) await signIn(db(), { ...VIEWER, password: `nope-${i}` }, 'addr-impatient', limits);
    // Retrying all through the window, every 250 ms.
    while (Date.now() - started < WINDOW_MS - 300) {
      expect(await signIn(db(), VIEWER, 'addr-impatient', limits)).toMatchObject(failed);
      await sleep(250);
    }
    await sleep(Math.max(0, started + WINDOW_MS + 100 - Date.now()));
    expect(await signIn(db(), VIEWER, 'addr-impatient', limits)).toMatchObject({ ok: true });
  });
});

describe('guessing stays slow', () => {
  it('20 attempts at once on one email from one address: five are checked, all refused', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(db(), { email: 'burst@example.com', password: `guess-${i}` }, 'addr-burst', limits)),
    );
    expect(answers.every((a) => !a.ok)).toBe(true);
    expect(answers.filter((a) => !a.ok && a.refused === 'pair')).toHaveLength(15);
    expect(await failures('pair:burst@example.com|addr-burst')).toBe(5);
  });

  it('spraying many emails from one address is limited per address; other addresses are not affected', async () => {
    const limit = ADDRESS_FACTOR * 5;
    for (let i = 0; i < limit; i += 1)
      expect(await signIn(db(), { email: `user${i}@example.com`, password: 'guess' }, 'addr-spray', countingLimits)).toEqual(failed);
    expect(await signIn(db(), VIEWER, 'addr-spray', countingLimits)).toMatchObject({ ...failed, refused: 'address' });
    expect(await signIn(db(), VIEWER, 'addr-other', countingLimits)).toMatchObject({ ok: true });
  });

  it("an address that has failed waits out the account's back-off, which doubles with each failure", async () => {
    expect([4, 5, 6, 7, 20].map((n) => backoffMs(n, options))).toEqual([0, 50, 100, 200, WINDOW_MS]);
    const victim = { email: 'victim@example.com', password: 'guess' };
    for (let i = 0; i < 10; i += 1) await signIn(db(), victim, `addr-rotating-${i}`, limits);
    // The tenth failure sets a wait of 1.6 s: an address that already failed is refused unchecked...
    expect(await signIn(db(), victim, 'addr-rotating-0', limits)).toMatchObject({ refused: 'backoff' });
    // ...while an address with no failures is checked.
    expect(await signIn(db(), victim, 'addr-fresh', limits)).toEqual(failed);
  });
});

describe('the counters', () => {
  it('need no TTL index: each key keeps a bounded list, and the writes delete expired keys', async () => {
    const indexes = await db().collection(SIGNIN_ATTEMPTS).indexes();
    expect(indexes.filter((i) => i.expireAfterSeconds !== undefined)).toEqual([]);
    for (let i = 0; i < 40; i += 1) await signIn(db(), { email: 'many@example.com', password: `x${i}` }, 'addr-many', limits);
    const doc = await db()
      .collection(SIGNIN_ATTEMPTS)
      .findOne({ _id: 'pair:many@example.com|addr-many' as never });
    expect(doc?.entries.length).toBeLessThanOrEqual(5 + 16);
    expect(doc?.expires_at).toBeInstanceOf(Date);
    await sleep(WINDOW_MS + 200);
    const lateAt = new Date();
    await signIn(db(), { email: 'late@example.com', password: 'x' }, 'addr-late', limits);
    const left = await db()
      .collection<{ _id: string; expires_at: Date }>(SIGNIN_ATTEMPTS)
      .find({}, { projection: { _id: 1, expires_at: 1 } })
      .toArray();
    // Every key expired by then is gone (the counting tests' one-minute keys are not expired yet).
    expect(left.filter((d) => d.expires_at <= lateAt).map((d) => d._id)).toEqual([]);
    expect(left.map((d) => d._id)).not.toContain('pair:many@example.com|addr-many');
    expect(left.map((d) => d._id)).toEqual(expect.arrayContaining(['account:late@example.com', 'address:addr-late', 'pair:late@example.com|addr-late']));
  });
});

describe('addresses', () => {
  it('a stranger rotating addresses inside one IPv6 /64 is counted as one address', async () => {
    const from = (i: number) => `2001:db8:bad:1:${(i + 1).toString(16)}::${(i * 7 + 3).toString(16)}`;
    for (let i = 0; i < 5; i += 1) expect(await signIn(db(), { ...VIEWER, password: `wrong-${i}` }, from(i), countingLimits)).toMatchObject(failed);
    // A sixth "fresh" address of the same /64: refused unchecked, even with the right password.
    expect(await signIn(db(), VIEWER, from(5), countingLimits)).toMatchObject({ ...failed, refused: 'pair' });
    expect(await failures('pair:test_user@example.com|2001:db8:bad:1::/64')).toBe(5);
    // The owner on another /64 gets in.
    expect(await signIn(db(), VIEWER, '2001:db8:600d:1::1', countingLimits)).toMatchObject({ ok: true });
  });
});

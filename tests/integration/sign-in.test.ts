import { beforeAll, describe, expect, it } from 'vitest';
import { verifySessionToken, createSessionToken } from '../../lib/auth/session';
import { SIGN_IN_FAILED, signIn } from '../../lib/auth/sign-in';
import { SIGNIN_ATTEMPTS, USERS } from '../../lib/db/collections';
import { useTestDb } from '../support/db';
import { TEST_PASSWORDS } from '../support/seeds';
import { seedAs } from '../support/worker-options';
import { SEEDED_ADMIN } from '../support/session';

const { db } = useTestDb(import.meta.url);

// Long enough that a loaded machine (bcrypt rounds, a reseed) cannot run the window out mid-test.
const WINDOW_MS = 60_000;
const limits = { SIGNIN_WINDOW_MS: WINDOW_MS, SIGNIN_MAX_ATTEMPTS: 5 };
const ADMIN = { email: 'admin@example.com', password: TEST_PASSWORDS.ADMIN_PASSWORD };
const VIEWER = { email: 'test_user@example.com', password: TEST_PASSWORDS.TEST_USER_PASSWORD };

const seed = (generation: string, wipe: boolean) => seedAs(db(), generation, wipe);

describe('signing in against the users collection', () => {
  beforeAll(() => seed('g-users', false));

  it('gives admins the admin role and other users the viewer role', async () => {
    expect(await signIn(db(), ADMIN, 'addr-roles', limits)).toEqual({ ok: true, user: SEEDED_ADMIN });
    expect(await signIn(db(), VIEWER, 'addr-roles', limits)).toMatchObject({ ok: true, user: { email: VIEWER.email, role: 'viewer' } });
  });

  it('refuses a wrong password, a wrong email and a malformed form with one message (the limits: sign-in-limits.test.ts)', async () => {
    for (const attempt of [
      { ...ADMIN, password: 'wrong-password' },
      { email: 'nobody@example.com', password: ADMIN.password },
      { ...ADMIN, password: '' },
      {},
    ]) {
      expect(await signIn(db(), attempt, 'addr-wrong', limits)).toEqual({ ok: false, error: SIGN_IN_FAILED });
    }
  });

  it('keeps the counters through a reseed, and a session from before the reseed stays valid', async () => {
    const secret = new TextEncoder().encode('integration-secret-integration-secret');
    const token = await createSessionToken(SEEDED_ADMIN, { secret, maxAgeMs: 60_000 });
    for (let i = 0; i < 5; i += 1) await signIn(db(), { ...VIEWER, password: 'wrong' }, 'addr-reseed', limits);
    const usersBefore = await db()
      .collection(USERS)
      .find({}, { sort: { _id: 1 } })
      .toArray();

    await seed('g-reseed', true); // wipe, then seed: the users are deleted and written again

    expect(
      await db()
        .collection(SIGNIN_ATTEMPTS)
        .countDocuments({ _id: { $in: ['address:addr-reseed', 'pair:test_user@example.com|addr-reseed'] } as never }),
    ).toBe(2);
    expect(await signIn(db(), VIEWER, 'addr-reseed', limits)).toEqual({ ok: false, error: SIGN_IN_FAILED, refused: 'pair' });
    // Same ids, same hashes (deterministic salt), and the stateless session does not depend on them.
    const usersAfter = await db()
      .collection(USERS)
      .find({}, { sort: { _id: 1 } })
      .toArray();
    expect(usersAfter.map(({ _id, email, password }) => ({ _id, email, password }))).toEqual(
      usersBefore.map(({ _id, email, password }) => ({ _id, email, password })),
    );
    expect(await verifySessionToken(token, secret)).toMatchObject(SEEDED_ADMIN);
  });
});

import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionFromRequest } from '../../lib/auth/current-session';
import { SESSION_COOKIE, createSessionToken, verifySessionToken, type SessionUser } from '../../lib/auth/session';
import { CHECK_CACHE_MS, isSessionCurrent, revokeSessions, sessionEpochForSignIn } from '../../lib/auth/session-store';
import { signIn } from '../../lib/auth/sign-in';
import { CONSOLE_SESSIONS, INITIALIZATION, PRESERVED_COLLECTIONS, STATE_ID, USERS } from '../../lib/db/collections';
import { guarded } from '../../lib/http/guard';
import { mongoUri, useTestDb } from '../support/db';
import { TEST_PASSWORDS } from '../support/seeds';
import { seedAs } from '../support/worker-options';

const { db, dbName } = useTestDb(import.meta.url);
const secret = new TextEncoder().encode('sessions-test-secret-sessions-test-secret');
const limits = { SIGNIN_WINDOW_MS: 60_000, SIGNIN_MAX_ATTEMPTS: 5 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pastCache = () => sleep(CHECK_CACHE_MS + 50);

const seed = (generation: string, wipe: boolean) => seedAs(db(), generation, wipe);

/** Signs in as the console does: checks the password, then makes a token in the user's current epoch. */
async function signedInToken(email: string, password: string): Promise<{ token: string; user: SessionUser }> {
  const result = await signIn(db(), { email, password }, 'addr-sessions', limits);
  if (!result.ok) throw new Error(`sign-in failed for ${email}`);
  const epoch = await sessionEpochForSignIn(db(), result.user);
  return { token: await createSessionToken(result.user, { secret, maxAgeMs: 3_600_000, epoch }), user: result.user };
}

const current = async (token: string) => isSessionCurrent(db(), (await verifySessionToken(token, secret))!);

beforeAll(() => seed('g-sessions', false));

describe('revocable sessions', () => {
  it('a token replayed after sign-out is refused; a new sign-in works', async () => {
    const { token, user } = await signedInToken('admin@example.com', TEST_PASSWORDS.ADMIN_PASSWORD);
    const copy = token; // what an attacker kept
    expect(await current(token)).toBe(true);
    await revokeSessions(db(), user.userId);
    expect(await current(copy)).toBe(false);
    // Signed in again: a new epoch, the old copy stays dead.
    const again = await signedInToken('admin@example.com', TEST_PASSWORDS.ADMIN_PASSWORD);
    expect(await current(again.token)).toBe(true);
    expect(await current(copy)).toBe(false);
  });

  it("a token whose role is no longer the user's is refused, and stays so when the role comes back", async () => {
    const { token, user } = await signedInToken('test_user@example.com', TEST_PASSWORDS.TEST_USER_PASSWORD);
    expect(await current(token)).toBe(true);
    await db()
      .collection(USERS)
      .updateOne({ _id: new ObjectId(user.userId) }, { $set: { is_admin: true } });
    await pastCache();
    expect(await current(token)).toBe(false);
    await db()
      .collection(USERS)
      .updateOne({ _id: new ObjectId(user.userId) }, { $set: { is_admin: false } });
    await pastCache();
    expect(await current(token)).toBe(false);
    // Its next sign-in has the role the user has now.
    expect(await current((await signedInToken('test_user@example.com', TEST_PASSWORDS.TEST_USER_PASSWORD)).token)).toBe(true);
  });

  it('an admin demoted to viewer: the admin token is refused at once (past the cache), its next sign-in is a viewer', async () => {
    const { token, user } = await signedInToken('admin@example.com', TEST_PASSWORDS.ADMIN_PASSWORD);
    const users = db().collection(USERS);
    try {
      await users.updateOne({ _id: new ObjectId(user.userId) }, { $set: { is_admin: false } });
      await pastCache();
      expect(await current(token)).toBe(false);
      const demoted = await signedInToken('admin@example.com', TEST_PASSWORDS.ADMIN_PASSWORD);
      expect(demoted.user.role).toBe('viewer');
      expect(await current(demoted.token)).toBe(true);
    } finally {
      await users.updateOne({ _id: new ObjectId(user.userId) }, { $set: { is_admin: true } });
    }
  });

  it("a deleted user's tokens are refused; a user absent while a run rewrites the users is not signed out", async () => {
    const { token, user } = await signedInToken('test_user@example.com', TEST_PASSWORDS.TEST_USER_PASSWORD);
    const users = db().collection(USERS);
    const stored = (await users.findOne({ _id: new ObjectId(user.userId) }))!;
    const state = db().collection<{ _id: string; status: string }>(INITIALIZATION);
    const { status } = (await state.findOne({ _id: STATE_ID }))!;
    try {
      await users.deleteOne({ _id: stored._id });
      await pastCache();
      expect(await current(token)).toBe(false);
      // The same absence inside a run (a reseed between its wipe and its seeding): still signed in.
      await state.updateOne({ _id: STATE_ID }, { $set: { status: 'in-progress' } });
      await pastCache();
      expect(await current(token)).toBe(true);
    } finally {
      await state.updateOne({ _id: STATE_ID }, { $set: { status } });
      await users.replaceOne({ _id: stored._id }, stored, { upsert: true });
    }
    // Written again with the same id and role: the session was refused, never revoked.
    await pastCache();
    expect(await current(token)).toBe(true);
  });

  it('revocations survive a reseed (console_sessions is kept by the wipe); sessions still valid stay valid', async () => {
    expect(PRESERVED_COLLECTIONS).toContain(CONSOLE_SESSIONS);
    const kept = await signedInToken('admin@example.com', TEST_PASSWORDS.ADMIN_PASSWORD);
    const revoked = await signedInToken('test_user@example.com', TEST_PASSWORDS.TEST_USER_PASSWORD);
    await revokeSessions(db(), revoked.user.userId);
    await seed('g-sessions-reseed', true);
    await pastCache();
    expect(await db().collection(CONSOLE_SESSIONS).countDocuments()).toBe(2);
    expect(await current(kept.token)).toBe(true);
    expect(await current(revoked.token)).toBe(false);
  });
});

describe('every route handler checks it', () => {
  beforeAll(() => {
    process.env.MONGODB_URI = mongoUri();
    process.env.MONGODB_DB = dbName;
    process.env.SESSION_SECRET = new TextDecoder().decode(secret);
  });
  afterAll(async () => {
    const { sharedClient } = await import('../../lib/db/client');
    await (await sharedClient()).close();
  });

  it("answers 401 to a signed-out session's cookie", async () => {
    const { token, user } = await signedInToken('admin@example.com', TEST_PASSWORDS.ADMIN_PASSWORD);
    const route = guarded(async (_request, session) => Response.json({ email: session.email }));
    const request = () => new Request('http://console.test/api/x', { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    expect((await route(request())).status).toBe(200);
    expect(await sessionFromRequest(request())).toMatchObject({ email: 'admin@example.com' });
    await revokeSessions(db(), user.userId);
    expect((await route(request())).status).toBe(401);
    expect(await sessionFromRequest(request())).toBeNull();
  });
});

import { ObjectId, type Db, type Document } from 'mongodb';
import { CONSOLE_SESSIONS, INITIALIZATION, STATE_ID, USERS } from '../db/collections';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Role, Session, SessionUser } from './session';

/**
 * What makes a stateless session revocable: one small document per user in `console_sessions`
 * (kept through every wipe), `{_id: user id, epoch}`. A token carries the epoch it was made in and
 * is valid only while the user's epoch is still that one and the user's role is still the token's.
 * Sign-out moves the epoch on (every session of that user ends, on every instance); so does a role
 * change, found when a token's role differs from the user's `is_admin`.
 *
 * Cost per request: two reads by `_id` at once (the epoch, and the user's role), remembered by
 * this process for CHECK_CACHE_MS, so another instance may accept a revoked token that long.
 */

interface SessionDoc {
  _id: string;
  epoch: number;
  email?: string;
  role?: Role;
  updated_at?: Date;
}

export const CHECK_CACHE_MS = 250;
const CACHE_LIMIT = 500;

interface Known {
  epoch: number;
  /**
   * The user's role now. While a run is in progress a missing user is being rewritten by the
   * reseed: the role from the last sign-in stands in. Otherwise a missing user who signed in here
   * was deleted: null, and no token of theirs is accepted (not revoked either: a user written
   * again with the same id and role gets their sessions back). A database with no record of the
   * user at all (its data lost, or restored from before the sign-in) cannot tell: undefined, and
   * the token's signature, expiry and epoch decide, as before there were session records.
   */
  role: Role | null | undefined;
  at: number;
}

type Holder = typeof globalThis & { __consoleSessionCache?: Map<string, Known> };
// On globalThis: pages, route handlers and actions are separate bundles in one process.
function cache(): Map<string, Known> {
  const holder = globalThis as Holder;
  holder.__consoleSessionCache ??= new Map();
  return holder.__consoleSessionCache;
}

const sessions = (db: Db) => db.collection<SessionDoc>(CONSOLE_SESSIONS);

async function known(db: Db, userId: string): Promise<Known> {
  const hit = cache().get(userId);
  if (hit && Date.now() - hit.at < CHECK_CACHE_MS) return hit;
  const [doc, user] = await Promise.all([
    sessions(db).findOne({ _id: userId }),
    ObjectId.isValid(userId) ? db.collection(USERS).findOne({ _id: new ObjectId(userId) }, { projection: { is_admin: 1 } }) : null,
  ]);
  const role = user ? roleOf(user) : await missingUserRole(db, doc);
  const entry = { epoch: doc?.epoch ?? 0, role, at: Date.now() };
  if (cache().size >= CACHE_LIMIT) cache().clear();
  cache().set(userId, entry);
  return entry;
}

const roleOf = (user: Document): Role => (user.is_admin === true ? 'admin' : 'viewer');

/** What a missing user's role is taken to be (see Known.role). */
async function missingUserRole(db: Db, doc: SessionDoc | null): Promise<Role | null | undefined> {
  if (!doc) return undefined;
  // A run in progress is rewriting the users: the only time a signed-in user may be absent.
  const state = await db.collection<{ _id: string; status?: string }>(INITIALIZATION).findOne({ _id: STATE_ID }, { projection: { status: 1 } });
  return state?.status === 'in-progress' ? doc.role : null;
}

/** Moves the user's epoch on from `from` (once, however many requests find the reason at once). */
async function bump(db: Db, userId: string, from: number): Promise<void> {
  cache().delete(userId);
  try {
    await sessions(db).updateOne({ _id: userId, epoch: from }, { $inc: { epoch: 1 }, $set: { updated_at: new Date() } }, { upsert: true });
  } catch (error) {
    // The document exists with another epoch already: someone moved it on first.
    if (!isDuplicateKey(error)) throw error;
  }
}

/** The epoch a new session of `user` is made in, recording the role it signed in with. */
export async function sessionEpochForSignIn(db: Db, user: SessionUser): Promise<number> {
  cache().delete(user.userId);
  const update = { $setOnInsert: { epoch: 0 }, $set: { email: user.email, role: user.role, updated_at: new Date() } };
  let doc: SessionDoc | null;
  try {
    doc = await sessions(db).findOneAndUpdate({ _id: user.userId }, update, { upsert: true, returnDocument: 'after' });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    doc = await sessions(db).findOneAndUpdate({ _id: user.userId }, update, { returnDocument: 'after' });
  }
  return doc?.epoch ?? 0;
}

/** Ends every session of this user, on every instance (sign-out). */
export async function revokeSessions(db: Db, userId: string): Promise<void> {
  cache().delete(userId);
  await sessions(db).updateOne({ _id: userId }, { $inc: { epoch: 1 }, $set: { updated_at: new Date() } }, { upsert: true });
}

/**
 * Whether a signed session is still valid: its epoch is the user's, and its role the user's role.
 * A role that changed moves the epoch on, so the old token stays dead even if the role comes back.
 */
export async function isSessionCurrent(db: Db, session: Session): Promise<boolean> {
  const now = await known(db, session.userId);
  if (now.epoch !== session.epoch || now.role === null) return false;
  if (now.role !== undefined && now.role !== session.role) {
    await bump(db, session.userId, now.epoch);
    return false;
  }
  return true;
}

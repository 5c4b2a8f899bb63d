import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { SIGNIN_ATTEMPTS } from '../db/collections';
import { isDuplicateKey } from '../db/duplicate-key';
import { addressBlock } from '../http/address-block';

/**
 * Sign-in limits that slow guessing down without letting a stranger lock the owner out, counted in
 * MongoDB so that every console instance counts together. Only password checks that FAILED count;
 * an attempt refused by a limit is never checked and never counted, and a success counts nothing.
 *
 * - per (email, address) pair: `maxAttempts` failures per window, then that pair is refused until
 *   its oldest failure leaves the window. A stranger guessing from their address blocks only
 *   themselves.
 * - per address: `ADDRESS_FACTOR × maxAttempts` failures per window across all emails (password
 *   spraying).
 * - per account, across addresses: from `maxAttempts` failures in the window on, an attempt from an
 *   address with recent failures waits `backoffMs(failures)` after the account's last failure
 *   (doubling, capped at the window). An address with no failures in the window is always checked,
 *   so the owner's correct password from their own address gets through while guessing goes on.
 *
 * One document per key holds its recent entries (`$slice`-bounded) and an `expires_at`; nothing
 * relies on a TTL index: expired documents are ignored by the reads and deleted by the writes.
 * The collection survives wipes (PRESERVED_COLLECTIONS).
 */

interface Entry {
  id: string;
  at: Date;
  /** False while the password is being checked: it holds a place under the limit meanwhile. */
  failed: boolean;
}

interface CounterDoc {
  _id: string;
  entries: Entry[];
  expires_at: Date;
}

export interface RateLimitOptions {
  windowMs: number;
  maxAttempts: number;
}

export type Refusal = 'pair' | 'address' | 'backoff';

export interface Attempt {
  /** Null when the password may be checked; else which limit refused it (it counts for nothing). */
  refused: Refusal | null;
  /** The password was wrong: the attempt counts on every key. */
  failed(): Promise<void>;
  /** The password was right: the attempt counts for nothing, and the pair's failures are forgotten. */
  succeeded(): Promise<void>;
}

export const ADDRESS_FACTOR = 4;
/** Entries kept per key beyond its limit: room for attempts in flight at once. */
const SLACK = 16;
const ACCOUNT_KEPT = 32;

/** The wait after the account's last failure: from maxAttempts failures on, doubling, at most the window. */
export function backoffMs(failures: number, options: RateLimitOptions): number {
  if (failures < options.maxAttempts) return 0;
  const base = options.windowMs / 60;
  return Math.min(options.windowMs, base * 2 ** Math.min(failures - options.maxAttempts, 30));
}

export const signInKeys = (email: string, address: string) => {
  const account = email.trim().toLowerCase();
  const block = addressBlock(address);
  return { pair: `pair:${account}|${block}`, address: `address:${block}`, account: `account:${account}` };
};

const collection = (db: Db) => db.collection<CounterDoc>(SIGNIN_ATTEMPTS);

// By database name: `client.db(name)` makes a new handle on every call.
const prepared = new Map<string, { index: Promise<unknown>; prunedAt: number }>();

/** A plain index on the expiry (for the pruning delete), once per database and process. */
function preparation(db: Db) {
  let state = prepared.get(db.databaseName);
  if (!state) {
    const index = collection(db)
      .createIndex({ expires_at: 1 }, { name: 'expires_at' })
      .catch((error: unknown) => {
        // An older TTL index on the same key is as good for pruning; anything else is only slower.
        console.warn(`[auth] no index on ${SIGNIN_ATTEMPTS}.expires_at: ${(error as Error).message}`);
      });
    state = { index, prunedAt: 0 };
    prepared.set(db.databaseName, state);
  }
  return state;
}

/** Deletes the documents whose window has passed, at most once per window and instance. */
async function prune(db: Db, options: RateLimitOptions, now: Date): Promise<void> {
  const state = preparation(db);
  if (now.getTime() - state.prunedAt < Math.min(options.windowMs, 10_000)) return;
  state.prunedAt = now.getTime();
  await collection(db).deleteMany({ expires_at: { $lt: now } });
}

const inWindow = (entries: Entry[] | undefined, since: number) => (entries ?? []).filter((e) => e.at.getTime() > since);

/** Adds `entry` to a key's document and returns the entries that were there before it. */
async function push(db: Db, key: string, entry: Entry, keep: number, expiresAt: Date): Promise<Entry[]> {
  const update = { $push: { entries: { $each: [entry], $slice: -keep } }, $set: { expires_at: expiresAt } };
  let doc: CounterDoc | null;
  try {
    doc = await collection(db).findOneAndUpdate({ _id: key }, update, { upsert: true, returnDocument: 'after' });
  } catch (error) {
    // Two first attempts on one key at once: one upsert inserts, the other updates on retry.
    if (!isDuplicateKey(error)) throw error;
    doc = await collection(db).findOneAndUpdate({ _id: key }, update, { returnDocument: 'after' });
  }
  const entries = doc?.entries ?? [];
  const mine = entries.findIndex((e) => e.id === entry.id);
  return mine < 0 ? entries : entries.slice(0, mine);
}

/**
 * Starts one sign-in attempt for `email` from `address`. The places under the pair and address
 * limits are taken atomically (one `$push` each), so parallel attempts cannot all slip under them.
 */
export async function beginAttempt(db: Db, email: string, address: string, options: RateLimitOptions, now = new Date()): Promise<Attempt> {
  await preparation(db).index;
  const keys = signInKeys(email, address);
  const since = now.getTime() - options.windowMs;
  const expiresAt = new Date(now.getTime() + options.windowMs);
  const entry: Entry = { id: randomUUID(), at: now, failed: false };
  const [pairBefore, addressBefore, account] = await Promise.all([
    push(db, keys.pair, entry, options.maxAttempts + SLACK, expiresAt),
    push(db, keys.address, entry, ADDRESS_FACTOR * options.maxAttempts + SLACK, expiresAt),
    collection(db).findOne({ _id: keys.account, expires_at: { $gt: now } }),
  ]);
  const release = () => collection(db).updateMany({ _id: { $in: [keys.pair, keys.address] } }, { $pull: { entries: { id: entry.id } } });

  let refused: Refusal | null = null;
  if (inWindow(pairBefore, since).length >= options.maxAttempts) refused = 'pair';
  else if (inWindow(addressBefore, since).length >= ADDRESS_FACTOR * options.maxAttempts) refused = 'address';
  else {
    const accountFailures = inWindow(account?.entries, since);
    const addressHasFailed = inWindow(addressBefore, since).some((e) => e.failed);
    const last = accountFailures.at(-1)?.at.getTime() ?? 0;
    if (addressHasFailed && now.getTime() < last + backoffMs(accountFailures.length, options)) refused = 'backoff';
  }
  if (refused) await release();

  return {
    refused,
    failed: async () => {
      await Promise.all([
        collection(db).updateMany({ _id: { $in: [keys.pair, keys.address] }, 'entries.id': entry.id }, { $set: { 'entries.$.failed': true } }),
        push(db, keys.account, { ...entry, failed: true }, ACCOUNT_KEPT, expiresAt),
      ]);
      await prune(db, options, now);
    },
    succeeded: async () => {
      await Promise.all([collection(db).deleteOne({ _id: keys.pair }), release()]);
    },
  };
}

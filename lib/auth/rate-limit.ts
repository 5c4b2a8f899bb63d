import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { SIGNIN_ATTEMPTS } from '../db/collections';
import { isDuplicateKey } from '../lock/errors';

/**
 * Failed sign-ins per key (an email, an address) over a sliding window, counted in MongoDB so that
 * every console instance behind a load balancer counts together.
 *
 * One document per key holds the times of its last attempts. An attempt is first RESERVED with one
 * atomic `$push` (so parallel attempts cannot all slip under the limit), then either kept (it
 * failed) or taken back (it succeeded): successful sign-ins do not use up the allowance.
 * The collection survives wipes (PRESERVED_COLLECTIONS) and old keys expire through a TTL index.
 */

interface AttemptsDoc {
  _id: string;
  attempts: Array<{ id: string; at: Date }>;
  expires_at: Date;
}

export interface RateLimitOptions {
  windowMs: number;
  maxAttempts: number;
}

export interface Reservation {
  allowed: boolean;
  /** Takes the attempt back (the sign-in succeeded). */
  release(): Promise<void>;
}

const collection = (db: Db) => db.collection<AttemptsDoc>(SIGNIN_ATTEMPTS);

const indexed = new WeakMap<Db, Promise<unknown>>();

/** The TTL index, once per database handle: an expired key's document goes away by itself. */
function ensureTtlIndex(db: Db): Promise<unknown> {
  let pending = indexed.get(db);
  if (!pending) {
    pending = collection(db)
      .createIndex({ expires_at: 1 }, { expireAfterSeconds: 0, name: 'expires_ttl' })
      .catch((error: unknown) => {
        indexed.delete(db);
        console.error(`[auth] could not create the TTL index on ${SIGNIN_ATTEMPTS}: ${(error as Error).message}`);
      });
    indexed.set(db, pending);
  }
  return pending;
}

/**
 * Reserves one attempt on every key at once. Allowed when no key has more than `maxAttempts`
 * attempts (this one included) in the last `windowMs`.
 */
export async function reserveAttempt(db: Db, keys: string[], options: RateLimitOptions, now = new Date()): Promise<Reservation> {
  await ensureTtlIndex(db);
  const id = randomUUID();
  const since = now.getTime() - options.windowMs;
  const counts = await Promise.all(
    keys.map(async (key) => {
      const update = {
        $push: { attempts: { $each: [{ id, at: now }], $slice: -(options.maxAttempts + 1) } },
        $set: { expires_at: new Date(now.getTime() + options.windowMs) },
      };
      let doc: AttemptsDoc | null;
      try {
        doc = await collection(db).findOneAndUpdate({ _id: key }, update, { upsert: true, returnDocument: 'after' });
      } catch (error) {
        // Two first attempts on one key at once: one upsert inserts, the other updates on retry.
        if (!isDuplicateKey(error)) throw error;
        doc = await collection(db).findOneAndUpdate({ _id: key }, update, { returnDocument: 'after' });
      }
      return (doc?.attempts ?? []).filter((a) => a.at.getTime() > since).length;
    }),
  );
  return {
    allowed: counts.every((n) => n <= options.maxAttempts),
    release: async () => {
      await collection(db).updateMany({ _id: { $in: keys } }, { $pull: { attempts: { id } } });
    },
  };
}

/** The keys one sign-in attempt counts against: its email and its address. */
export function attemptKeys(email: string, address: string): string[] {
  return [`email:${email.trim().toLowerCase()}`, `address:${address}`];
}

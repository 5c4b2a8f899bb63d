import { LOCK_ID } from '../db/collections';
import {
  failWithCleanup,
  insertLock,
  legacyAcquireOrWait,
  lockCollection,
  seedAndMarkComplete,
  type LegacyOutcome,
  type LegacyWorkerOptions,
  type TakeAttempt,
} from './legacy';

/**
 * The platform before the incident's fix. Every worker clears `initialization` at start-up ("stale
 * locks"), the lock included; takes the lock by check-then-insert; and wipes with `dropDatabase`,
 * which removes the lock it just took. Whoever looks next finds no lock and wipes again.
 */
export async function runUnsafeWorker(o: LegacyWorkerOptions): Promise<LegacyOutcome> {
  await o.history.record('boot', null, { algorithm: 'unsafe', wipe: o.wipe, seed_digest: o.seeds.digest, version: o.identity.version });
  const cleared = (await lockCollection(o.db).deleteMany({})).deletedCount;

  const checkThenInsert = async (): Promise<TakeAttempt> => {
    const existing = await lockCollection(o.db).findOne({ _id: LOCK_ID });
    if (existing) return { taken: false, lock: existing };
    return insertLock(o);
  };
  return legacyAcquireOrWait(o, checkThenInsert, (detail) => initialize(o, detail), { cleared_initialization: cleared });
}

async function initialize(o: LegacyWorkerOptions, detail: Record<string, unknown>): Promise<LegacyOutcome> {
  await o.history.record('acquired', null, { ...detail, wipe: o.wipe });
  try {
    if (o.wipe) {
      await o.history.record('wipe-started', null, { method: 'dropDatabase' });
      await o.db.dropDatabase();
      await o.history.record('wiped', null, { dropped: o.db.databaseName, lock_dropped: true });
    }
    return await seedAndMarkComplete(o);
  } catch (error) {
    return failWithCleanup(o, error);
  }
}

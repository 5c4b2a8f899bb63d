import { isDuplicateKey } from '../db/duplicate-key';
import { LOCK_ID } from '../db/collections';
import {
  failWithCleanup,
  insertLock,
  legacyAcquireOrWait,
  lockCollection,
  seedAndMarkComplete,
  sleep,
  type LegacyOutcome,
  type LegacyWorkerOptions,
  type TakeAttempt,
} from './legacy';

/** The platform deleted a lock older than this as stale, finished or not. */
export const PLATFORM_STALE_MS = 5 * 60_000;

export class RestoreConflictError extends Error {
  constructor(readonly holder: string | null) {
    super(`duplicate key restoring the lock after the drop: ${holder ?? 'another worker'} took it inside the window`);
    this.name = 'RestoreConflictError';
  }
}

/**
 * The incident's fix: take the lock by insert (a duplicate key means wait), and before the wipe copy
 * the lock, drop the database, and insert the copy again. Between the drop and the re-insert there
 * is no lock; `windowMs` stretches that moment so that the drill can hit it. A re-insert that meets
 * a duplicate key fails the worker, and its cleanup deletes the lock, which is then the other's.
 */
export async function runCopyDropRestoreWorker(o: LegacyWorkerOptions): Promise<LegacyOutcome> {
  await o.history.record('boot', null, {
    algorithm: 'copy-drop-restore',
    wipe: o.wipe,
    window_ms: o.windowMs,
    seed_digest: o.seeds.digest,
    version: o.identity.version,
  });
  const insertOrStale = async (): Promise<TakeAttempt> => {
    const attempt = await insertLock(o);
    if (attempt.taken || !attempt.lock) return attempt;
    const started = attempt.lock.started_at instanceof Date ? attempt.lock.started_at.getTime() : Number.NaN;
    if (o.clock.now().getTime() - started > PLATFORM_STALE_MS) {
      await lockCollection(o.db).deleteOne({ _id: LOCK_ID, started_at: attempt.lock.started_at });
      return insertLock(o);
    }
    return attempt;
  };
  return legacyAcquireOrWait(o, insertOrStale, (detail) => initialize(o, detail));
}

async function initialize(o: LegacyWorkerOptions, detail: Record<string, unknown>): Promise<LegacyOutcome> {
  await o.history.record('acquired', null, { ...detail, wipe: o.wipe });
  try {
    if (o.wipe) {
      await o.history.record('wipe-started', null, { method: 'dropDatabase', window_ms: o.windowMs });
      const copy = await lockCollection(o.db).findOne({ _id: LOCK_ID });
      await o.db.dropDatabase();
      await o.history.record('wiped', null, { dropped: o.db.databaseName, lock_copied: copy !== null });
      if (o.windowMs > 0) await sleep(o.windowMs);
      if (copy) {
        try {
          await lockCollection(o.db).insertOne(copy);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const current = await lockCollection(o.db).findOne({ _id: LOCK_ID });
          throw new RestoreConflictError(current?.worker_id ?? null);
        }
        await o.history.record('lock-preserved', null, { restored: true, window_ms: o.windowMs });
      }
    }
    return await seedAndMarkComplete(o);
  } catch (error) {
    return failWithCleanup(o, error, { restore_conflict: error instanceof RestoreConflictError });
  }
}

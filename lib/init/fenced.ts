import type { AnyBulkWriteOperation, ClientSession, Db, Document, Filter, ObjectId } from 'mongodb';
import { durable } from '../db/concerns';
import { duplicateKeys, isOnId, type DuplicateKey } from '../db/duplicate-key';
import { RetryBatchError, type Lease } from '../lock/lease';

/** Documents the holder with `fence` may overwrite or delete: never a newer holder's. */
export function notNewerThan(fence: number): Filter<Document> {
  return { $or: [{ seeded_fence: { $exists: false } }, { seeded_fence: { $lte: fence } }] };
}

/** Documents older than `fence`: what a wipe by that holder removes. */
export function olderThan(fence: number): Filter<Document> {
  return { $or: [{ seeded_fence: { $exists: false } }, { seeded_fence: { $lt: fence } }] };
}

export class SeedConflictError extends Error {
  constructor(collection: string, ids: string[], duplicate: DuplicateKey) {
    const key = duplicate.keyValue ? JSON.stringify(duplicate.keyValue) : duplicate.message;
    super(`cannot seed ${collection}: ${ids.join(', ')} collides with an existing document on the unique key ${key}`);
    this.name = 'SeedConflictError';
  }
}

/** `replace`: write every seeded document. `missing`: insert only the documents that are absent. */
export type SeedMode = 'replace' | 'missing';

/** How often an upsert that collided on `_id` is tried again before it counts as a conflict. */
const ID_COLLISION_TRIES = 3;

export type SeedDoc = Document & { _id: ObjectId };

/**
 * One seeded document's upsert, as every write path sends it: on its fixed `_id`, only over a
 * document no newer holder wrote, stamped with the fence and run. `replace` writes it whole;
 * `missing` inserts it only when absent (the inserted document takes its `_id` from the filter).
 */
export function seedStatement(
  { _id, ...fields }: SeedDoc,
  fence: number,
  runId: string,
  mode: SeedMode,
): { filter: Filter<Document>; replacement: Document } | { filter: Filter<Document>; update: Document } {
  const stamp = { seeded_fence: fence, seeded_run_id: runId };
  const filter = { _id, ...notNewerThan(fence) };
  return mode === 'replace' ? { filter, replacement: { ...fields, ...stamp } } : { filter, update: { $setOnInsert: { ...fields, ...stamp } } };
}

/**
 * Writes seeded documents on their fixed `_id`s, stamped with the holder's fence and run, and only
 * over a document that no newer holder wrote; part of a batch the caller runs in `lease.fenced`.
 * `replace` upserts each document whole; `missing` inserts the absent ones and leaves a document
 * already there exactly as it is.
 *
 * A duplicate key on `_id` is not a conflict in the data: two upserts of the same absent `_id`
 * raced (a stale holder and this one), or a newer holder's document is there. The lease is checked
 * and the collided upserts are tried again: the filter now matches an older document, or the
 * check finds the lease lost. Only a collision on another unique key is a real conflict.
 * Returns how many documents were written.
 */
export async function fencedWrite(
  db: Db,
  collection: string,
  docs: ReadonlyArray<SeedDoc>,
  lease: Lease,
  runId: string,
  mode: SeedMode,
  session: ClientSession | undefined,
): Promise<number> {
  if (docs.length === 0) return 0;
  const op = (doc: SeedDoc): AnyBulkWriteOperation<Document> => {
    const statement = seedStatement(doc, lease.fence, runId, mode);
    return 'replacement' in statement ? { replaceOne: { ...statement, upsert: true } } : { updateOne: { ...statement, upsert: true } };
  };
  let pending = [...docs];
  let upserted = 0;
  for (let attempt = 1; ; attempt += 1) {
    lease.assertUsable();
    try {
      const result = await db.collection(collection).bulkWrite(pending.map(op), { ordered: false, ...durable(session) });
      return mode === 'replace' ? docs.length : upserted + result.upsertedCount;
    } catch (error) {
      const duplicates = duplicateKeys(error);
      if (duplicates.length === 0) throw error;
      const conflict = duplicates.find((d) => !isOnId(d));
      if (conflict) throw new SeedConflictError(collection, [pending[conflict.index]?._id.toHexString() ?? '?'], conflict);
      const collided = duplicates.map((d) => pending[d.index]).filter((d): d is SeedDoc => d !== undefined);
      const ids = collided.map((d) => d._id.toHexString());
      // In a transaction the error aborted it: the whole batch goes again, lock statement first.
      if (session) throw new RetryBatchError(`${collection}: ${ids.join(', ')} collided on _id`);
      if (attempt >= ID_COLLISION_TRIES) throw new SeedConflictError(collection, ids, duplicates[0]!);
      upserted += (error as { result?: { upsertedCount?: number } }).result?.upsertedCount ?? 0;
      await lease.confirm();
      pending = collided;
    }
  }
}

import type { AnyBulkWriteOperation, Db, Document, Filter, ObjectId } from 'mongodb';
import { isDuplicateKey } from '../lock/errors';
import type { Lease } from '../lock/lease';

/** Documents the holder with `fence` may overwrite or delete: never a newer holder's. */
export function notNewerThan(fence: number): Filter<Document> {
  return { $or: [{ seeded_fence: { $exists: false } }, { seeded_fence: { $lte: fence } }] };
}

/** Documents older than `fence`: what a wipe by that holder removes. */
export function olderThan(fence: number): Filter<Document> {
  return { $or: [{ seeded_fence: { $exists: false } }, { seeded_fence: { $lt: fence } }] };
}

export class SeedConflictError extends Error {
  constructor(collection: string, ids: string[], cause: unknown) {
    super(
      `cannot seed ${collection}: ${ids.join(', ')} collides with an existing document on a unique field (${(cause as Error).message})`,
    );
    this.name = 'SeedConflictError';
  }
}

/**
 * Upserts each document on its fixed `_id`, stamped with the holder's fence and run, and only over
 * a document that no newer holder wrote. A newer holder's document makes the upsert collide on
 * `_id` (E11000): then the lease is checked, and a lost lease stops the holder. Callers check the
 * lease in the database before each batch of writes (`lease.assertHeld()`).
 */
export async function fencedUpsertAll(
  db: Db,
  collection: string,
  docs: ReadonlyArray<Document & { _id: ObjectId }>,
  lease: Lease,
  runId: string,
): Promise<number> {
  if (docs.length === 0) return 0;
  if (lease.signal.aborted) throw lease.signal.reason;
  const fence = lease.fence;
  const ops: AnyBulkWriteOperation<Document>[] = docs.map((doc) => ({
    replaceOne: {
      filter: { _id: doc._id, ...notNewerThan(fence) },
      replacement: { ...doc, seeded_fence: fence, seeded_run_id: runId },
      upsert: true,
    },
  }));
  try {
    await db.collection(collection).bulkWrite(ops, { ordered: false });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await lease.assertHeld();
    // Still the holder, so no newer fence exists: a genuine unique-field collision in the data.
    throw new SeedConflictError(collection, docs.map((d) => d._id.toHexString()), error);
  }
  return docs.length;
}

/**
 * Inserts each document that is absent, stamped like a fenced upsert; a document already there
 * (from any run) is left exactly as it is. Same fencing as fencedUpsertAll: a newer holder's
 * document makes the upsert collide on `_id`, and the lease check stops a holder that lost it.
 * Returns how many documents were inserted.
 */
export async function fencedInsertMissing(
  db: Db,
  collection: string,
  docs: ReadonlyArray<Document & { _id: ObjectId }>,
  lease: Lease,
  runId: string,
): Promise<number> {
  if (docs.length === 0) return 0;
  if (lease.signal.aborted) throw lease.signal.reason;
  const fence = lease.fence;
  const ops: AnyBulkWriteOperation<Document>[] = docs.map(({ _id, ...fields }) => ({
    updateOne: {
      // The inserted document takes its `_id` from the filter's equality.
      filter: { _id, ...notNewerThan(fence) },
      update: { $setOnInsert: { ...fields, seeded_fence: fence, seeded_run_id: runId } },
      upsert: true,
    },
  }));
  try {
    return (await db.collection(collection).bulkWrite(ops, { ordered: false })).upsertedCount;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await lease.assertHeld();
    throw new SeedConflictError(collection, docs.map((d) => d._id.toHexString()), error);
  }
}

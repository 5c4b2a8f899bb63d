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

/** `replace`: write every seeded document. `missing`: insert only the documents that are absent. */
export type SeedMode = 'replace' | 'missing';

/**
 * Writes seeded documents on their fixed `_id`s, stamped with the holder's fence and run, and only
 * over a document that no newer holder wrote. `replace` upserts each document whole; `missing`
 * inserts the absent ones and leaves a document already there exactly as it is. A newer holder's
 * document makes the upsert collide on `_id` (E11000): then the lease is checked, and a lost lease
 * stops the holder. Callers check the lease in the database before each batch (`lease.assertHeld()`).
 * Returns how many documents were written.
 */
export async function fencedWrite(
  db: Db,
  collection: string,
  docs: ReadonlyArray<Document & { _id: ObjectId }>,
  lease: Lease,
  runId: string,
  mode: SeedMode = 'replace',
): Promise<number> {
  if (docs.length === 0) return 0;
  if (lease.signal.aborted) throw lease.signal.reason;
  const stamp = { seeded_fence: lease.fence, seeded_run_id: runId };
  const ops: AnyBulkWriteOperation<Document>[] = docs.map(({ _id, ...fields }) => {
    const filter = { _id, ...notNewerThan(lease.fence) };
    return mode === 'replace'
      ? { replaceOne: { filter, replacement: { ...fields, ...stamp }, upsert: true } }
      : // The inserted document takes its `_id` from the filter's equality.
        { updateOne: { filter, update: { $setOnInsert: { ...fields, ...stamp } }, upsert: true } };
  });
  try {
    const result = await db.collection(collection).bulkWrite(ops, { ordered: false });
    return mode === 'replace' ? docs.length : result.upsertedCount;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await lease.assertHeld();
    // Still the holder, so no newer fence exists: a genuine unique-field collision in the data.
    throw new SeedConflictError(collection, docs.map((d) => d._id.toHexString()), error);
  }
}

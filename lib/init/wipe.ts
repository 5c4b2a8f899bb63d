import type { ClientSession, Db, ObjectId } from 'mongodb';
import { committed, durable } from '../db/concerns';
import { PRESERVED_COLLECTIONS } from '../db/collections';
import type { Lease } from '../lock/lease';
import { olderThan } from './fenced';
import type { WipeTarget } from './scope';

/** Ids per delete statement: a batch stays small enough for one transaction. */
const IDS_PER_DELETE = 1000;

/**
 * Runs `fn` on every item: in parallel, or one after the other inside a transaction's session. In
 * parallel it settles only when every call has: a failure of one must not let the holder release
 * the lock while the others are still on their way to the database.
 */
export async function forEach<T, R>(session: ClientSession | undefined, items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  if (!session) {
    const settled = await Promise.allSettled(items.map(fn));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((r) => (r as PromiseFulfilledResult<R>).value);
  }
  const results: R[] = [];
  for (const item of items) results.push(await fn(item));
  return results;
}

/**
 * The whole wipe's targets: every collection except the preserved ones (the lock and state, the
 * history, the console's own records), each in full.
 */
export async function allWipeTargets(db: Db): Promise<WipeTarget[]> {
  return (await db.listCollections({ type: 'collection' }, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => !PRESERVED_COLLECTIONS.includes(name) && !name.startsWith('system.'))
    .sort()
    .map((name) => ({ name, filter: {} }));
}

/**
 * Deletes what `targets` match: every collection but the preserved ones for a full wipe
 * (allWipeTargets), one project's seeded documents for a per-project reseed (scope.ts). Never
 * `dropDatabase`, never `drop`: the lock is present throughout and indexes stay.
 *
 * It deletes only what existed when it began: the `_id`s of the matching documents older than
 * this holder's fence are read first, and each delete names them. A holder that resumes late
 * cannot reach a document written after its wipe began (by a successor, the platform or a user),
 * nor one a newer holder stamped. Returns the count per collection.
 */
export async function wipeDatabase(db: Db, lease: Lease, targets?: readonly WipeTarget[]): Promise<Record<string, number>> {
  lease.assertUsable();
  const chosen = targets ?? (await allWipeTargets(db));
  const existing = await Promise.all(
    chosen.map(async ({ name, filter }) => ({
      name,
      ids: (
        await db
          .collection(name)
          .find(Object.keys(filter).length === 0 ? olderThan(lease.fence) : { $and: [filter, olderThan(lease.fence)] }, {
            projection: { _id: 1 },
            ...committed(),
          })
          .toArray()
      ).map((d) => d._id),
    })),
  );
  const batches = existing.flatMap(({ name, ids }) => chunk(ids, IDS_PER_DELETE).map((part) => ({ name, ids: part })));
  const none: Record<string, number> = Object.fromEntries(chosen.map(({ name }) => [name, 0]));
  if (batches.length === 0) return none;
  // Counted inside the batch: a transaction that is tried again counts from zero again.
  return lease.fenced(async (session) => {
    const deleted = { ...none };
    await forEach(session, batches, async ({ name, ids }) => {
      lease.assertUsable();
      const result = await db.collection(name).deleteMany({ _id: { $in: ids as ObjectId[] }, ...olderThan(lease.fence) }, durable(session));
      deleted[name] = (deleted[name] ?? 0) + result.deletedCount;
    });
    return deleted;
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

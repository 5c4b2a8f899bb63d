import type { ClientSession, Db, Document, ObjectId } from 'mongodb';
import { committed, durable } from '../db/concerns';
import { PRESERVED_COLLECTIONS } from '../db/collections';
import type { Lease } from '../lock/lease';
import { olderThan } from './fenced';
import type { WipeTarget } from './scope';

/** Ids per delete statement: a batch stays small enough for one transaction. */
export const IDS_PER_DELETE = 1000;

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

/** What a wipe deletes: per collection, the `_id`s its targets matched when the wipe began. */
export interface WipeSnapshot {
  names: string[];
  ids: Map<string, unknown[]>;
}

/** The snapshot's reads come back in one answer, not a first batch and getMores. */
const SNAPSHOT_BATCH = 100_000;

/**
 * The snapshot's one aggregate, run on the first target's collection: each target's documents
 * older than `fence`, as `{_id, c: collection}`, the others' through `$unionWith` (MongoDB 4.4+).
 * Exported for the probe, which sends exactly this shape.
 */
export function snapshotPipeline(targets: readonly WipeTarget[], fence: number): Document[] {
  const pipeline = ({ name, filter }: WipeTarget): Document[] => [
    { $match: Object.keys(filter).length === 0 ? olderThan(fence) : { $and: [filter, olderThan(fence)] } },
    { $project: { _id: 1, c: { $literal: name } } },
  ];
  const [first, ...rest] = targets;
  return first ? [...pipeline(first), ...rest.map((target) => ({ $unionWith: { coll: target.name, pipeline: pipeline(target) } }))] : [];
}

/**
 * Reads the `_id`s of every target's documents older than this holder's fence, in ONE command for
 * all collections (the first target's aggregate, the others' pipelines `$unionWith` it), so the
 * wipe's snapshot costs one round trip however many collections there are.
 */
export async function wipeSnapshot(db: Db, lease: Lease, targets: readonly WipeTarget[]): Promise<WipeSnapshot> {
  lease.assertUsable();
  const names = targets.map((t) => t.name);
  const ids = new Map<string, unknown[]>(names.map((name) => [name, []]));
  const first = targets[0];
  if (!first) return { names, ids };
  const rows = await lease.retrying(() =>
    db
      .collection(first.name)
      .aggregate<{ _id: unknown; c: string }>(snapshotPipeline(targets, lease.fence), { batchSize: SNAPSHOT_BATCH, ...committed() })
      .toArray(),
  );
  for (const row of rows) ids.get(row.c)?.push(row._id);
  return { names, ids };
}

/**
 * Deletes what the snapshot names, one command per collection (its ids in statements of at most
 * IDS_PER_DELETE), in parallel or one after the other in a transaction's session; each statement
 * also requires the document to be older than the fence. Part of a batch the caller runs in
 * `lease.fenced`. Returns the count per collection.
 */
export async function deleteSnapshot(db: Db, lease: Lease, snapshot: WipeSnapshot, session: ClientSession | undefined): Promise<Record<string, number>> {
  // Counted inside the batch: a transaction that is tried again counts from zero again.
  const deleted: Record<string, number> = Object.fromEntries(snapshot.names.map((name) => [name, 0]));
  const nonEmpty = [...snapshot.ids].filter(([, ids]) => ids.length > 0);
  await forEach(session, nonEmpty, async ([name, ids]) => {
    lease.assertUsable();
    const statements = chunk(ids, IDS_PER_DELETE).map((part) => ({ deleteMany: { filter: { _id: { $in: part as ObjectId[] }, ...olderThan(lease.fence) } } }));
    const result = await db.collection(name).bulkWrite(statements, { ordered: false, ...durable(session) });
    deleted[name] = result.deletedCount;
  });
  return deleted;
}

/**
 * Deletes what `targets` match: every collection but the preserved ones for a full wipe
 * (allWipeTargets), one project's seeded documents for a per-project reseed (scope.ts). Never
 * `dropDatabase`, never `drop`: the lock is present throughout and indexes stay.
 *
 * It deletes only what existed when it began: the `_id`s of the matching documents older than
 * this holder's fence are read first (wipeSnapshot), and each delete names them. A holder that
 * resumes late cannot reach a document written after its wipe began (by a successor, the platform
 * or a user), nor one a newer holder stamped. Returns the count per collection.
 */
export async function wipeDatabase(db: Db, lease: Lease, targets?: readonly WipeTarget[]): Promise<Record<string, number>> {
  lease.assertUsable();
  return deleteSnapshotBatch(db, lease, await wipeSnapshot(db, lease, targets ?? (await allWipeTargets(db))));
}

/** The snapshot's deletes as one fenced batch of their own (none when there is nothing to delete). */
export function deleteSnapshotBatch(db: Db, lease: Lease, snapshot: WipeSnapshot): Promise<Record<string, number>> {
  if ([...snapshot.ids.values()].every((ids) => ids.length === 0)) return deleteSnapshot(db, lease, snapshot, undefined);
  return lease.fenced((session) => deleteSnapshot(db, lease, snapshot, session));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

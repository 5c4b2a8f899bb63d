import { MongoClientBulkWriteError, type AnyClientBulkWriteModel, type ClientSession, type Db, type Document, type ObjectId } from 'mongodb';
import { duplicateKeys, isOnId } from '../db/duplicate-key';
import { RetryBatchError, type Lease } from '../lock/lease';
import { SeedConflictError, olderThan, seedStatement, type SeedDoc, type SeedMode } from './fenced';
import { IDS_PER_DELETE, chunk, type WipeSnapshot } from './wipe';

/** What each operation of the command stands for, to count its result back to a collection. */
export type Owner = { kind: 'delete' | 'write'; name: string; id?: ObjectId };

/** The command's operations, and what each stands for (to count its result back to a collection). */
export interface OneCommandModels {
  models: AnyClientBulkWriteModel<Document>[];
  owners: Owner[];
}

/**
 * The operations of the one `bulkWrite` command, in its order: the wipe's fenced deletes (at most
 * IDS_PER_DELETE ids each), then every group's fenced upserts. Exported for the probe, which sends
 * exactly this shape.
 */
export function oneCommandModels(
  databaseName: string,
  fence: number,
  snapshot: WipeSnapshot | null,
  groups: Array<Array<[string, ReadonlyArray<SeedDoc>]>>,
  runId: string,
  mode: SeedMode,
): OneCommandModels {
  const namespace = (name: string) => `${databaseName}.${name}`;
  const models: AnyClientBulkWriteModel<Document>[] = [];
  const owners: Owner[] = [];
  for (const [name, ids] of snapshot?.ids ?? []) {
    for (const part of chunk(ids, IDS_PER_DELETE)) {
      models.push({ name: 'deleteMany', namespace: namespace(name), filter: { _id: { $in: part as ObjectId[] }, ...olderThan(fence) } });
      owners.push({ kind: 'delete', name });
    }
  }
  for (const [name, docs] of groups.flat()) {
    for (const doc of docs) {
      const statement = seedStatement(doc, fence, runId, mode);
      models.push(
        'replacement' in statement
          ? { name: 'replaceOne', namespace: namespace(name), ...statement, upsert: true }
          : { name: 'updateOne', namespace: namespace(name), ...statement, upsert: true },
      );
      owners.push({ kind: 'write', name, id: doc._id });
    }
  }
  return { models, owners };
}

/**
 * The wipe's deletes and every seed write as ONE `bulkWrite` command (MongoDB 8.0), ordered: the
 * deletes, then the groups in their order (the dashboards after the projects they point at).
 * Only inside the transaction `lease.fenced` opened, whose lock statement came first: a
 * transaction's statements are paid one after the other, and this makes the whole run's data one
 * statement instead of one per collection and kind. A duplicate key aborts the transaction like any
 * failed statement: on `_id` the batch is tried again (a race with another holder), on another
 * unique key it is a real conflict, as in fencedWrite.
 */
export async function wipeAndSeedInOneCommand(
  db: Db,
  lease: Lease,
  snapshot: WipeSnapshot | null,
  groups: Array<Array<[string, ReadonlyArray<SeedDoc>]>>,
  runId: string,
  mode: SeedMode,
  session: ClientSession,
): Promise<{ deleted: Record<string, number> | null; counts: Record<string, number> }> {
  const { models, owners } = oneCommandModels(db.databaseName, lease.fence, snapshot, groups, runId, mode);
  const counts: Record<string, number> = Object.fromEntries(groups.flat().map(([name]) => [name, 0]));
  const deleted: Record<string, number> | null = snapshot ? Object.fromEntries(snapshot.names.map((name) => [name, 0])) : null;
  if (models.length === 0) return { deleted, counts };
  lease.assertUsable();
  let result;
  try {
    result = await db.client.bulkWrite(models, { session, ordered: true, verboseResults: true });
  } catch (error) {
    if (!(error instanceof MongoClientBulkWriteError)) throw error;
    const duplicates = duplicateKeys(error);
    if (duplicates.length === 0) throw error;
    const conflict = duplicates.find((d) => !isOnId(d));
    if (conflict) throw new SeedConflictError(owners[conflict.index]?.name ?? '?', [owners[conflict.index]?.id?.toHexString() ?? '?'], conflict);
    throw new RetryBatchError(`${duplicates.map((d) => owners[d.index]?.name).join(', ')} collided on _id`);
  }
  owners.forEach((owner, i) => {
    if (owner.kind === 'delete') {
      if (deleted) deleted[owner.name] = (deleted[owner.name] ?? 0) + (result.deleteResults?.get(i)?.deletedCount ?? 0);
    } else if (mode === 'replace' || result.updateResults?.get(i)?.upsertedId !== undefined) {
      counts[owner.name] = (counts[owner.name] ?? 0) + 1;
    }
  });
  return { deleted, counts };
}

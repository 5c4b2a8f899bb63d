import { createHash } from 'node:crypto';
import type { CreateIndexesOptions, Db, IndexSpecification } from 'mongodb';
import { MAJORITY_WRITE } from '../db/concerns';
import type { ServerFacts } from '../db/topology';
import { DASHBOARDS, DELTATABLES, GROUPS, INIT_HISTORY, MULTIQC, PROJECTS, USERS } from '../db/collections';

type IndexDef = { key: IndexSpecification; options?: CreateIndexesOptions };

/** What "idempotent" rests on: unique keys, not check-then-insert. */
export const INDEXES: Record<string, IndexDef[]> = {
  [PROJECTS]: [
    { key: { name: 1 }, options: { unique: true, name: 'name_unique' } },
    { key: { 'workflows.data_collections._id': 1 }, options: { name: 'dc_id' } },
  ],
  [USERS]: [{ key: { email: 1 }, options: { unique: true, name: 'email_unique' } }],
  [GROUPS]: [{ key: { name: 1 }, options: { unique: true, name: 'name_unique' } }],
  [DELTATABLES]: [{ key: { data_collection_id: 1 }, options: { unique: true, name: 'dc_unique' } }],
  [MULTIQC]: [{ key: { data_collection_id: 1 }, options: { unique: true, name: 'dc_unique' } }],
  [DASHBOARDS]: [{ key: { project_id: 1 }, options: { name: 'project_id' } }],
  // The history is read in keyset pages sorted on (at, _id), filtered by any of run, worker and
  // event: for each combination an index of exactly those fields, then the sort key with `_id`,
  // so that a page is one index range scan (tests/unit/history-indexes.test.ts checks them).
  [INIT_HISTORY]: [
    { key: { at: -1, _id: -1 }, options: { name: 'at_desc' } },
    { key: { run_id: 1, at: 1, _id: 1 }, options: { name: 'run_at_id' } },
    { key: { worker_id: 1, at: -1, _id: -1 }, options: { name: 'worker_at_id' } },
    { key: { event: 1, at: -1, _id: -1 }, options: { name: 'event_at_id' } },
    { key: { run_id: 1, worker_id: 1, at: 1, _id: 1 }, options: { name: 'run_worker_at_id' } },
    { key: { run_id: 1, event: 1, at: 1, _id: 1 }, options: { name: 'run_event_at_id' } },
    { key: { worker_id: 1, event: 1, at: -1, _id: -1 }, options: { name: 'worker_event_at_id' } },
    { key: { run_id: 1, worker_id: 1, event: 1, at: 1, _id: 1 }, options: { name: 'run_worker_event_at_id' } },
    // The next fence after a lost lock document comes from the highest on record.
    { key: { fence: -1 }, options: { name: 'fence_desc' } },
  ],
};

/** Indexes an older version created that the current definitions replace: dropped when found. */
export const RETIRED_INDEXES: Record<string, string[]> = { [INIT_HISTORY]: ['run_at', 'worker_at', 'event_at'] };

/**
 * Recorded in `init_state`: a holder whose predecessor completed with the same index definitions
 * skips creating them again (a wipe empties collections with deleteMany, which keeps indexes).
 */
export const INDEXES_VERSION = createHash('sha256').update(JSON.stringify(INDEXES)).digest('hex').slice(0, 12);

/**
 * Creates the indexes (a no-op for those already there). On a replica set a build completes only
 * once a majority has it (`commitQuorum`), which a standalone refuses as an option.
 */
export async function ensureIndexes(db: Db, facts: ServerFacts): Promise<void> {
  // Majority-acknowledged like every other write of the product's: a build a failover rolls back would leave the seeds unguarded.
  const options = { writeConcern: MAJORITY_WRITE, ...(facts.topology === 'standalone' ? {} : { commitQuorum: 'majority' as const }) };
  await Promise.all(
    Object.entries(RETIRED_INDEXES).flatMap(([collection, names]) =>
      // 27 IndexNotFound, 26 NamespaceNotFound: nothing to drop.
      names.map((name) =>
        db
          .collection(collection)
          .dropIndex(name)
          .catch((error: { code?: number }) => {
            if (error.code !== 27 && error.code !== 26) throw error;
          }),
      ),
    ),
  );
  await Promise.all(
    Object.entries(INDEXES).map(([collection, defs]) =>
      db.collection(collection).createIndexes(
        defs.map((d) => ({ key: d.key as Record<string, 1 | -1>, ...d.options })),
        options,
      ),
    ),
  );
}

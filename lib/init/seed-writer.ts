import type { ClientSession, Db } from 'mongodb';
import { DASHBOARDS, DELTATABLES, GROUPS, MULTIQC, PROJECTS, USERS } from '../db/collections';
import type { Lease } from '../lock/lease';
import type { SeedBundle } from '../seeds/build';
import { fencedWrite, type SeedMode } from './fenced';
import { wipeAndSeedInOneCommand } from './one-command';
import { deleteSnapshot, deleteSnapshotBatch, forEach, type WipeSnapshot } from './wipe';

export type SeedCounts = Record<string, number>;

type SeedDocs = Parameters<typeof fencedWrite>[2];

export type { SeedMode } from './fenced';

/** The two groups of writes, in order: the dashboards after the projects they point at. */
function seedGroups(bundle: SeedBundle): Array<Array<[string, SeedDocs]>> {
  return [
    [
      [USERS, bundle.users],
      [GROUPS, bundle.groups],
      [PROJECTS, bundle.projects.map((p) => p.project)],
      [DELTATABLES, bundle.projects.flatMap((p) => p.deltatables)],
      [MULTIQC, bundle.projects.flatMap((p) => p.multiqc)],
    ],
    [[DASHBOARDS, bundle.projects.flatMap((p) => p.dashboards)]],
  ];
}

/** One group: one write per collection for all projects, in parallel (or in order in a transaction). */
async function writeGroup(db: Db, group: Array<[string, SeedDocs]>, lease: Lease, runId: string, mode: SeedMode, session: ClientSession | undefined) {
  const written = await forEach(session, group, ([name, docs]) => fencedWrite(db, name, docs, lease, runId, mode, session));
  return Object.fromEntries(group.map(([name], i) => [name, written[i] ?? 0]));
}

/**
 * Writes the seeded documents in two fenced batches, one write per collection for all projects:
 * first users, groups, projects and registrations; then the dashboards, so that a reader never
 * sees a dashboard point at a project that is not there yet. The counts are the documents written.
 */
export async function writeSeeds(db: Db, bundle: SeedBundle, lease: Lease, runId: string, mode: SeedMode): Promise<SeedCounts> {
  const counts: SeedCounts = {};
  for (const group of seedGroups(bundle)) Object.assign(counts, await lease.fenced((session) => writeGroup(db, group, lease, runId, mode, session)));
  return counts;
}

/**
 * The wipe's deletes (when there is a snapshot) and the seeding. With transactions it is ONE
 * transaction, led by the lock statement: the statements of a transaction are sent one after the
 * other (drivers run no operations of one transaction in parallel), so each batch less is one lock
 * statement and one commit less, and readers see the old data or the new, never a dashboard
 * before its project; on MongoDB 8.0 the transaction's deletes and writes are one `bulkWrite`
 * statement (one-command.ts). Without, the batches of a standalone: the deletes, then the seeds' two.
 */
export async function wipeAndSeed(
  db: Db,
  lease: Lease,
  snapshot: WipeSnapshot | null,
  bundle: SeedBundle,
  runId: string,
  mode: SeedMode,
): Promise<{ deleted: Record<string, number> | null; counts: SeedCounts }> {
  if (!lease.facts.transactions) {
    const deleted = snapshot ? await deleteSnapshotBatch(db, lease, snapshot) : null;
    return { deleted, counts: await writeSeeds(db, bundle, lease, runId, mode) };
  }
  return lease.fenced(async (session) => {
    if (lease.facts.bulkWriteCommand && session) return wipeAndSeedInOneCommand(db, lease, snapshot, seedGroups(bundle), runId, mode, session);
    const deleted = snapshot ? await deleteSnapshot(db, lease, snapshot, session) : null;
    const counts: SeedCounts = {};
    for (const group of seedGroups(bundle)) Object.assign(counts, await writeGroup(db, group, lease, runId, mode, session));
    return { deleted, counts };
  });
}

import type { Db } from 'mongodb';
import { DASHBOARDS, DELTATABLES, GROUPS, MULTIQC, PROJECTS, USERS } from '../db/collections';
import type { Lease } from '../lock/lease';
import type { SeedBundle, SeedProjectBundle } from '../seeds/build';
import { fencedInsertMissing, fencedUpsertAll } from './fenced';

export type SeedCounts = Record<string, number>;

/** `replace`: write every seeded document. `missing`: insert only the documents that are absent. */
export type SeedMode = 'replace' | 'missing';

/**
 * Writes the seeded documents with fenced upserts (`missing`: fenced inserts of the absent ones
 * only); calls `onProject` after each project is whole. The lease is checked in the database once
 * before the writes; each write is fenced on its own. The counts are the documents written.
 */
export async function writeSeeds(
  db: Db,
  bundle: SeedBundle,
  lease: Lease,
  runId: string,
  mode: SeedMode,
  onProject: (project: SeedProjectBundle) => Promise<void>,
): Promise<SeedCounts> {
  const write = mode === 'missing' ? fencedInsertMissing : fencedUpsertAll;
  const counts: SeedCounts = { users: 0, groups: 0, projects: 0, dashboards: 0, deltatables: 0, multiqc: 0 };
  await lease.assertHeld();
  counts.users = await write(db, USERS, bundle.users, lease, runId);
  counts.groups = await write(db, GROUPS, bundle.groups, lease, runId);
  for (const entry of bundle.projects) {
    // Registrations and the project go in before the dashboards that point at them.
    counts.deltatables! += await write(db, DELTATABLES, entry.deltatables, lease, runId);
    counts.multiqc! += await write(db, MULTIQC, entry.multiqc, lease, runId);
    counts.projects! += await write(db, PROJECTS, [entry.project], lease, runId);
    counts.dashboards! += await write(db, DASHBOARDS, entry.dashboards, lease, runId);
    await onProject(entry);
  }
  return counts;
}

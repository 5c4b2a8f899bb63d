import type { Db } from 'mongodb';
import { DASHBOARDS, DELTATABLES, GROUPS, MULTIQC, PROJECTS, USERS } from '../db/collections';
import type { Lease } from '../lock/lease';
import type { SeedBundle, SeedProjectBundle } from '../seeds/build';
import { fencedUpsertAll } from './fenced';

export type SeedCounts = Record<string, number>;

/**
 * Writes every seeded document with fenced upserts; calls `onProject` after each project is whole.
 * The lease is checked in the database once before the writes; each write is fenced on its own.
 */
export async function writeSeeds(
  db: Db,
  bundle: SeedBundle,
  lease: Lease,
  runId: string,
  onProject: (project: SeedProjectBundle) => Promise<void>,
): Promise<SeedCounts> {
  const counts: SeedCounts = { users: 0, groups: 0, projects: 0, dashboards: 0, deltatables: 0, multiqc: 0 };
  await lease.assertHeld();
  counts.users = await fencedUpsertAll(db, USERS, bundle.users, lease, runId);
  counts.groups = await fencedUpsertAll(db, GROUPS, bundle.groups, lease, runId);
  for (const entry of bundle.projects) {
    // Registrations and the project go in before the dashboards that point at them.
    counts.deltatables! += await fencedUpsertAll(db, DELTATABLES, entry.deltatables, lease, runId);
    counts.multiqc! += await fencedUpsertAll(db, MULTIQC, entry.multiqc, lease, runId);
    counts.projects! += await fencedUpsertAll(db, PROJECTS, [entry.project], lease, runId);
    counts.dashboards! += await fencedUpsertAll(db, DASHBOARDS, entry.dashboards, lease, runId);
    await onProject(entry);
  }
  return counts;
}

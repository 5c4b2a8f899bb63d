import type { Db } from 'mongodb';
import { DASHBOARDS, DELTATABLES, GROUPS, MULTIQC, PROJECTS, USERS } from '../db/collections';
import type { Lease } from '../lock/lease';
import type { SeedBundle, SeedProjectBundle } from '../seeds/build';
import { fencedWrite, type SeedMode } from './fenced';

export type SeedCounts = Record<string, number>;

export type { SeedMode } from './fenced';

/**
 * Writes the seeded documents with fenced upserts (`missing`: fenced inserts of the absent ones
 * only); calls `onProject` after each project is whole. The lease is checked in the database once
 * before the writes; each write is fenced on its own. The counts are the documents written.
 *
 * Independent writes go out together (users with groups, the projects side by side, and within a
 * project its registrations with the project document): under the lock nobody else writes, and
 * the holder spends its time on the database's work rather than on round trips. A project's
 * dashboards still follow its project and registrations, so a reader never sees a dashboard point
 * at a project that is not there yet.
 */
export async function writeSeeds(
  db: Db,
  bundle: SeedBundle,
  lease: Lease,
  runId: string,
  mode: SeedMode,
  onProject: (project: SeedProjectBundle) => Promise<void>,
): Promise<SeedCounts> {
  const write = (collection: string, docs: Parameters<typeof fencedWrite>[2]) => fencedWrite(db, collection, docs, lease, runId, mode);
  await lease.assertHeld();
  const [users, groups, perProject] = await Promise.all([
    write(USERS, bundle.users),
    write(GROUPS, bundle.groups),
    Promise.all(
      bundle.projects.map(async (entry) => {
        const [deltatables, multiqc, projects] = await Promise.all([
          write(DELTATABLES, entry.deltatables),
          write(MULTIQC, entry.multiqc),
          write(PROJECTS, [entry.project]),
        ]);
        const dashboards = await write(DASHBOARDS, entry.dashboards);
        await onProject(entry);
        return { deltatables, multiqc, projects, dashboards };
      }),
    ),
  ]);
  const counts: SeedCounts = { users, groups, projects: 0, dashboards: 0, deltatables: 0, multiqc: 0 };
  for (const project of perProject) for (const [key, n] of Object.entries(project)) counts[key] = (counts[key] ?? 0) + n;
  return counts;
}

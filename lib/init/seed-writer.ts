import type { Db } from 'mongodb';
import { DASHBOARDS, DELTATABLES, GROUPS, MULTIQC, PROJECTS, USERS } from '../db/collections';
import type { Lease } from '../lock/lease';
import type { SeedBundle } from '../seeds/build';
import { fencedWrite, type SeedMode } from './fenced';
import { forEach } from './wipe';

export type SeedCounts = Record<string, number>;

type SeedDocs = Parameters<typeof fencedWrite>[2];

export type { SeedMode } from './fenced';

/**
 * Writes the seeded documents in two fenced batches, one write per collection for all projects:
 * first users, groups, projects and registrations; then the dashboards, so that a reader never
 * sees a dashboard point at a project that is not there yet. The counts are the documents written.
 */
export async function writeSeeds(db: Db, bundle: SeedBundle, lease: Lease, runId: string, mode: SeedMode): Promise<SeedCounts> {
  const first: Array<[string, SeedDocs]> = [
    [USERS, bundle.users],
    [GROUPS, bundle.groups],
    [PROJECTS, bundle.projects.map((p) => p.project)],
    [DELTATABLES, bundle.projects.flatMap((p) => p.deltatables)],
    [MULTIQC, bundle.projects.flatMap((p) => p.multiqc)],
  ];
  const counts = await lease.fenced(async (session) => {
    const written = await forEach(session, first, ([name, docs]) => fencedWrite(db, name, docs, lease, runId, mode, session));
    return Object.fromEntries(first.map(([name], i) => [name, written[i] ?? 0]));
  });
  counts[DASHBOARDS] = await lease.fenced((session) =>
    fencedWrite(
      db,
      DASHBOARDS,
      bundle.projects.flatMap((p) => p.dashboards),
      lease,
      runId,
      mode,
      session,
    ),
  );
  return counts;
}

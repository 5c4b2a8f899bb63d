import type { Db } from 'mongodb';
import { auditDatabase } from '../audit/run-audit';
import { DASHBOARDS, PROJECTS } from '../db/collections';
import { ServerClock } from '../db/server-clock';
import { judge } from '../history/verdict';
import { readLockAndState } from '../init/state';
import { leaseIsLive } from '../lock/lease';
import { iso } from './json';
import { latestRun, type RunJson } from './runs';

export interface LockJson {
  holder: { worker_id: string; host: string; pid: number; version: string; run_id: string; generation: string } | null;
  fence: number | null;
  acquired_at: string | null;
  renewed_at: string | null;
  lease_expires_at: string | null;
  renewals: number | null;
  released_at: string | null;
  released_by: string | null;
  /** An admin released the lock by hand (the last release): who, and whose lease it was. */
  force_released_by: string | null;
  force_released_holder: string | null;
  completed_generation: string | null;
  /** The platform's own fields: all a lock written by the platform itself has. */
  platform: {
    worker_id: string | null;
    started_at: string | null;
    initialization_in_progress: boolean | null;
    initialization_complete: boolean | null;
  };
  /** Written by the platform, not by this console (no lease, no fence). */
  written_by_platform: boolean;
}

export interface StateJson {
  status: 'in-progress' | 'complete' | 'failed';
  generation: string;
  run_id: string;
  worker_id: string;
  fence: number;
  wipe: boolean;
  seed_digest: string;
  started_at: string;
  completed_at: string | null;
  failed_at: string | null;
  error: string | null;
  counts: Record<string, number> | null;
}

export interface OverviewJson {
  /** The database server's time when this was read: the countdown runs from it. */
  server_time: string;
  lock: LockJson | null;
  state: StateJson | null;
  last_run: (RunJson & { projects: number; dashboards: number; invalid_components: number }) | null;
  collections: Array<{ name: string; count: number }>;
  /** A lease is held or the state is in progress: the console polls faster. */
  active: boolean;
}

/** Everything the overview shows, read in one go. */
export async function loadOverview(db: Db): Promise<OverviewJson> {
  const clock = new ServerClock(db);
  const [now, { lock, state }, run, collections, audit] = await Promise.all([
    clock.sync(),
    readLockAndState(db),
    latestRun(db),
    collectionCounts(db),
    auditDatabase(db),
  ]);
  const count = (name: string) => collections.find((c) => c.name === name)?.count ?? 0;
  const leaseLive = leaseIsLive(lock, now);
  let last_run: OverviewJson['last_run'] = null;
  if (run) {
    const data = { projects: count(PROJECTS), dashboards: count(DASHBOARDS), invalid_components: audit.summary.error };
    const verdict = judge({ ...run, ...data, started_at: null, finished_at: null, warning_components: audit.summary.warning });
    last_run = { ...run, ...data, pass: verdict.pass, findings: verdict.findings };
  }
  return {
    server_time: now.toISOString(),
    lock: lock
      ? {
          holder: lock.holder ?? null,
          fence: lock.fence ?? null,
          acquired_at: iso(lock.acquired_at),
          renewed_at: iso(lock.renewed_at),
          lease_expires_at: iso(lock.lease_expires_at),
          renewals: lock.renewals ?? null,
          released_at: iso(lock.released_at),
          released_by: lock.released_by ?? null,
          force_released_by: lock.force_released_by ?? null,
          force_released_holder: lock.force_released_holder ?? null,
          completed_generation: lock.completed_generation ?? null,
          platform: {
            worker_id: lock.worker_id ?? null,
            started_at: iso(lock.started_at),
            initialization_in_progress: lock.initialization_in_progress ?? null,
            initialization_complete: lock.initialization_complete ?? null,
          },
          written_by_platform: lock.fence === undefined && lock.holder === undefined,
        }
      : null,
    state: state
      ? {
          status: state.status,
          generation: state.generation,
          run_id: state.run_id,
          worker_id: state.worker_id,
          fence: state.fence,
          wipe: state.wipe,
          seed_digest: state.seed_digest,
          started_at: state.started_at.toISOString(),
          completed_at: iso(state.completed_at),
          failed_at: iso(state.failed_at),
          error: state.error ?? null,
          counts: state.counts ?? null,
        }
      : null,
    last_run,
    collections,
    active: leaseLive || state?.status === 'in-progress',
  };
}

async function collectionCounts(db: Db): Promise<Array<{ name: string; count: number }>> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.'));
  const counts = await Promise.all(names.map(async (name) => ({ name, count: await db.collection(name).estimatedDocumentCount() })));
  return counts.sort((a, b) => a.name.localeCompare(b.name));
}

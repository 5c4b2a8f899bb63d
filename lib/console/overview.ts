import type { Db } from 'mongodb';
import { cachedAuditDigest } from '../audit/cached-audit';
import { ServerClock } from '../db/server-clock';
import { serverFacts } from '../db/topology';
import { judge } from '../history/findings';
import { dataFigures } from '../history/verdict';
import { readLockAndState } from '../init/state';
import { leaseIsLive } from '../lock/liveness';
import { iso } from './json';
import { latestRun } from './runs';
import type { OverviewView } from './views';

/** Everything the overview shows, read in one go. */
export async function loadOverview(db: Db): Promise<OverviewView> {
  const clock = new ServerClock(db);
  const [{ now, facts }, { lock, state }, run, collections, figures] = await Promise.all([
    // The clock's hello tells the topology too: serverFacts keeps it per client, no round trip of its own.
    clock.sync().then(async (now) => ({ now, facts: await serverFacts(db) })),
    readLockAndState(db),
    latestRun(db),
    collectionCounts(db),
    dataFigures(db, cachedAuditDigest),
  ]);
  const leaseLive = leaseIsLive(lock, now);
  const { projects, dashboards, invalid_components } = figures;
  // The latest run is judged with the data as it is now; older runs by their history alone.
  const last_run: OverviewView['last_run'] = run ? { ...run, projects, dashboards, invalid_components, ...judge(run, figures) } : null;
  return {
    server_time: now.toISOString(),
    lease_live: leaseLive,
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
    topology: facts.topology,
    transactional_fencing: facts.transactions,
    active: leaseLive || state?.status === 'in-progress',
  };
}

async function collectionCounts(db: Db): Promise<Array<{ name: string; count: number }>> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.'));
  const counts = await Promise.all(names.map(async (name) => ({ name, count: await db.collection(name).estimatedDocumentCount() })));
  return counts.sort((a, b) => a.name.localeCompare(b.name));
}

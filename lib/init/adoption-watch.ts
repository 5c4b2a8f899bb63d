import type { Db } from 'mongodb';
import { ServerClock } from '../db/server-clock';
import { abandonedRun } from './decide';
import { historyFor, initialize, takeLease, type WorkerOptions, type WorkerOutcome } from './run-worker';
import { readLockAndState } from './state';

/**
 * Finishes a run whose process died, when there is one: the state in progress and its holder's
 * lease expired. Takes the lease as an adopter (a `takeover` event naming the dead holder) and
 * completes THAT run, as a booting worker would; only the run, not the watcher's own request.
 * Returns null when there is nothing to finish or another process took it first.
 */
export async function finishAbandonedRun(db: Db, options: WorkerOptions): Promise<WorkerOutcome | null> {
  const clock = new ServerClock(db);
  await clock.sync();
  const { lock, state } = await readLockAndState(db);
  const run = abandonedRun({ lock, state, now: clock.now() });
  if (!run) return null;
  const history = historyFor(db, clock, options, run);
  try {
    const taken = await takeLease(db, clock, history, options, run, { adopting: true, nameHolder: false });
    if (!('lease' in taken)) return null;
    return await initialize(db, clock, taken.lease, options, run, history);
  } finally {
    await history.flush().catch((error: unknown) => console.error(`history: some events were not stored: ${(error as Error).message}`));
  }
}

/** How often a live console looks for an abandoned run: a quarter lease, within [poll, 10 s]. */
export function watchPeriodMs(leaseMs: number, pollMs: number): number {
  return Math.min(10_000, Math.max(pollMs, Math.round(leaseMs / 4)));
}

/**
 * A live console keeps looking, so that a run whose console died is finished within its lease
 * plus one period even when no process restarts: a worker only looks at its own boot. One look
 * is two round trips (the database's clock, then the lock and the state); looks never overlap. Returns the function that stops watching.
 */
export function watchForAbandonedRuns(
  dbOf: () => Promise<Db>,
  options: WorkerOptions,
  periodMs: number,
  log: (line: string) => void = (line) => console.log(line),
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | null = null;
  const look = async () => {
    try {
      const outcome = await finishAbandonedRun(await dbOf(), options);
      lastError = null;
      if (outcome)
        log(`[init] ${options.identity.worker_id} finished an abandoned run: ${outcome.outcome}${'reason' in outcome ? ` (${outcome.reason})` : ''}`);
    } catch (error) {
      // The database being away is the outage banner's news; say each new reason once.
      const reason = (error as Error).message;
      if (reason !== lastError) log(`[init] looking for abandoned runs: ${reason}`);
      lastError = reason;
    }
    if (!stopped) timer = setTimeout(() => void look(), periodMs).unref();
  };
  timer = setTimeout(() => void look(), periodMs).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

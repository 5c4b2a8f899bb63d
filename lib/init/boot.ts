import { announceFencing } from '../db/announce-fencing';
import { DatabaseUnreachableError, sharedDb } from '../db/client';
import { isTransientError } from '../db/transient';
import { config } from '../env';
import { announceGeneratedPasswords } from '../seeds/passwords';
import { watchForAbandonedRuns, watchPeriodMs } from './adoption-watch';
import { prepareWorker } from './prepare';
import { runWorker } from './run-worker';

const RETRY_MS = [2_000, 5_000, 15_000, 30_000, 60_000];

/**
 * The server's own initialization at boot, with INIT_WIPE / INIT_GENERATION / INIT_RUN_ID. When the
 * database cannot be reached, or fails over, it tries again with backoff: the console stays up and
 * says so.
 */
export function startBootInitialization(): void {
  const cfg = config();
  if (!cfg.INIT_ON_BOOT) {
    console.log('[init] INIT_ON_BOOT=false: this server does not take part in initialization');
    return;
  }
  if (!cfg.MONGODB_URI) {
    console.warn('[init] MONGODB_URI is not set: no initialization at boot (start the embedded database with `npm run db`)');
    return;
  }
  void attempt(0);

  async function attempt(retry: number): Promise<void> {
    try {
      const prepared = await prepareWorker(cfg, { wipe: cfg.INIT_WIPE, generation: cfg.INIT_GENERATION, runId: 'boot' });
      // Every server of one deployment boots with the same generation: they share one run.
      const options = { ...prepared, runId: cfg.INIT_RUN_ID ?? `boot-${prepared.generation}` };
      const db = await sharedDb();
      // Before the run: the operator reads what its guarantee is worth on this server.
      await announceFencing(db, (line) => console.warn(`[init] ${line}`));
      const outcome = await runWorker(db, options);
      if (outcome.outcome === 'failed') console.error(`[init] ${options.identity.worker_id}: ${outcome.reason}`);
      else console.log(`[init] ${options.identity.worker_id}: generation ${options.generation} ${outcome.outcome}`);
      if (outcome.outcome === 'acquired') {
        announceGeneratedPasswords(prepared.seeds.generatedPasswords, (line) => console.log(`[init] ${line}`));
      }
      // From now on this server finishes any run whose process dies (a console killed mid-reseed).
      watchForAbandonedRuns(sharedDb, options, watchPeriodMs(cfg.INIT_LEASE_MS, cfg.INIT_POLL_MS));
    } catch (error) {
      if (error instanceof DatabaseUnreachableError || isTransientError(error)) {
        const wait = RETRY_MS[Math.min(retry, RETRY_MS.length - 1)]!;
        console.error(`[init] ${(error as Error).message}; trying again in ${wait / 1000} s`);
        setTimeout(() => void attempt(retry + 1), wait).unref();
        return;
      }
      console.error(`[init] initialization at boot did not run: ${(error as Error).message}`);
    }
  }
}

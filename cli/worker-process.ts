import type { Db, MongoClient } from 'mongodb';
import { announceFencing } from '../lib/db/announce-fencing';
import { connect } from '../lib/db/client';
import { parseConfig, requireMongoUri, type Config } from '../lib/env';
import { newRunId, prepareWorker } from '../lib/init/prepare';
import { runWorker, type WorkerOptions } from '../lib/init/run-worker';
import { readLockAndState } from '../lib/init/state';
import type { HistoryEvent } from '../lib/schemas/history';
import { announceGeneratedPasswords } from '../lib/seeds/passwords';
import { waitForGo } from '../lib/workers/barrier';

/** What every worker process takes: the product's worker (cli/worker.ts) and the drill's (cli/drill-worker.ts). */
export const WORKER_OPTIONS = {
  wipe: { type: 'boolean', default: false },
  generation: { type: 'string' },
  'run-id': { type: 'string' },
  name: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;
export const WORKER_USAGE = '[--wipe] [--generation G] [--run-id R] [--name NAME] [--quiet]';

export interface WorkerArgs {
  wipe: boolean;
  generation?: string;
  'run-id'?: string;
  name?: string;
  quiet: boolean;
}

export interface WorkerProcess {
  cfg: Config;
  options: WorkerOptions;
  client: MongoClient;
  /** The default event handler: one line per event, unless --quiet. */
  logEvent: (event: HistoryEvent) => void;
}

/**
 * A worker up to the start of its race: configuration and seeds validated, connected, warmed up,
 * and, under `launchWorkers`, released by its barrier.
 */
export async function startWorkerProcess(args: WorkerArgs, cfg: Config = parseConfig()): Promise<WorkerProcess> {
  const uri = requireMongoUri(cfg);
  // A lone `--wipe` is one explicit request: it gets its own generation.
  const generation = args.generation ?? cfg.INIT_GENERATION ?? (args.wipe ? newRunId('wipe') : undefined);
  const options = await prepareWorker(cfg, {
    wipe: args.wipe || cfg.INIT_WIPE,
    generation,
    runId: args['run-id'] ?? cfg.INIT_RUN_ID ?? newRunId('run'),
    workerName: args.name,
  });
  const client = await connect({
    uri,
    timeoutMs: Math.min(cfg.MONGODB_TIMEOUT_MS, cfg.INIT_WAIT_TIMEOUT_MS),
    appName: cfg.MONGODB_APP_NAME ?? 'depictio-init-worker',
  });
  try {
    // Part of start-up: a first read warms the connection and the code paths before the race.
    await Promise.all([
      readLockAndState(client.db(cfg.MONGODB_DB)),
      announceFencing(client.db(cfg.MONGODB_DB), (line) => console.warn(`${options.identity.worker_id}: ${line}`)),
    ]);
    await warmUp(client.db(cfg.MONGODB_DB));
    await waitForGo();
  } catch (error) {
    await client.close();
    throw error;
  }
  const logEvent = (event: HistoryEvent) => {
    if (!args.quiet)
      console.log(`${event.at.toISOString()} ${options.identity.worker_id} ${event.event}${event.fence !== null ? ` fence=${event.fence}` : ''}`);
  };
  return { cfg, options, client, logEvent };
}

/** The product's initialization, reported as one line; the process's exit code (0 ready, 1 failed). */
export async function runLeaseWorker(worker: WorkerProcess, onEvent: (event: HistoryEvent) => void | Promise<void>): Promise<number> {
  const { options } = worker;
  const who = options.identity.worker_id;
  const outcome = await runWorker(worker.client.db(worker.cfg.MONGODB_DB), { ...options, onEvent, yieldCpuWhileWaiting: true });
  switch (outcome.outcome) {
    case 'acquired':
      console.log(
        `${who}: initialized generation ${options.generation} (fence ${outcome.fence}${outcome.wiped ? ', wiped' : ''}; ${JSON.stringify(outcome.counts)})`,
      );
      announceGeneratedPasswords(options.seeds.generatedPasswords);
      return 0;
    case 'waited':
    case 'skipped':
      console.log(`${who}: generation ${options.generation} is complete (${outcome.outcome}; done by ${outcome.state.worker_id})`);
      return 0;
    case 'failed':
      console.error(`${who}: ${outcome.reason}`);
      return 1;
  }
}

/** Connections the holder's widest step needs at once (a write per collection), opened at start-up. */
const POOL_WARM_CONNECTIONS = 8;

/**
 * Runs the driver's write paths once before the race, with operations that match nothing and so
 * write nothing, so that the first real lock attempt does not pay for compiling them.
 */
async function warmUp(db: Db): Promise<void> {
  const nothing = { _id: '__warm-up__', 'match nothing': true };
  const initialization = db.collection<{ _id: string }>('initialization');
  await Promise.all([
    initialization.findOneAndUpdate(nothing, { $set: { never: true } }),
    initialization.bulkWrite([{ replaceOne: { filter: nothing, replacement: { never: true } } }]),
    initialization.updateOne(nothing, { $set: { never: true } }),
    // Connections for the holder's widest step (a write per collection at once): opened now, a
    // far database's handshakes are not paid in the race.
    ...Array.from({ length: POOL_WARM_CONNECTIONS }, () => db.command({ ping: 1 })),
  ]);
}

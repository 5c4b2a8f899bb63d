/**
 * npm run worker -- [--wipe] [--generation G] [--run-id R] [--name NAME]
 *
 * One worker, as one API worker at boot: exits 0 when the database is initialized for the
 * generation, non-zero with the reason otherwise (1: the run failed, 2: it could not start).
 *
 * Race drill only: `--algorithm unsafe|copy-drop-restore --history-db DB [--window-ms MS]` runs one of
 * the old platform's algorithms instead (lib/drill/), on a `drill_` scratch database only; `--pool`
 * keeps the process for round after round of a repeated drill, each round given over IPC.
 */
import { parseArgs } from 'node:util';
import type { Db } from 'mongodb';
import { connect } from '../lib/db/client';
import { ConfigError, parseConfig, requireMongoUri } from '../lib/env';
import { newRunId, prepareWorker } from '../lib/init/prepare';
import { runWorker } from '../lib/init/run-worker';
import { readLockAndState } from '../lib/init/state';
import { assertScratchDatabase } from '../lib/drill/scratch';
import { DRILL_ALGORITHMS, type DrillAlgorithm } from '../lib/drill/types';
import { servePoolRounds } from '../lib/drill/pool';
import { runLegacyWorker } from '../lib/drill/worker';
import { HISTORY_EVENTS, type HistoryEvent, type HistoryEventName } from '../lib/schemas/history';
import { announceGeneratedPasswords } from '../lib/seeds/passwords';
import { fail, waitForGo } from './support';

const USAGE =
  'usage: npm run worker -- [--wipe] [--generation G] [--run-id R] [--name NAME]\n' +
  '       drill only: [--algorithm unsafe|copy-drop-restore --history-db DB [--window-ms MS]] [--pool]';

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      wipe: { type: 'boolean', default: false },
      generation: { type: 'string' },
      'run-id': { type: 'string' },
      name: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      // Fault injection for tests and the race drill: pause after the first event of this name.
      'pause-after': { type: 'string' },
      'pause-ms': { type: 'string' },
      // Race drill only: the old platform's algorithms (the default, lease, is the product's).
      algorithm: { type: 'string', default: 'lease' },
      'history-db': { type: 'string' },
      'window-ms': { type: 'string' },
      pool: { type: 'boolean', default: false },
    },
  });
  const algorithm = args.algorithm as DrillAlgorithm;
  if (!DRILL_ALGORITHMS.includes(algorithm)) throw usageError(`--algorithm must be one of ${DRILL_ALGORITHMS.join(', ')}`);
  if (algorithm === 'lease' && (args['history-db'] !== undefined || args['window-ms'] !== undefined)) {
    throw usageError('--history-db and --window-ms belong to the drill\'s old algorithms');
  }
  if (algorithm !== 'lease' && !args.pool && args['history-db'] === undefined) throw usageError(`--algorithm ${algorithm} needs --history-db`);
  const windowMs = Number(args['window-ms'] ?? 0);
  if (!Number.isInteger(windowMs) || windowMs < 0) throw usageError(`--window-ms must be a whole number of milliseconds (got "${args['window-ms']}")`);
  const cfg = parseConfig();
  const uri = requireMongoUri(cfg);
  if (algorithm !== 'lease' && !args.pool) {
    // These algorithms drop their database: a drill's scratch database, never the platform's.
    try {
      assertScratchDatabase(cfg.MONGODB_DB);
      assertScratchDatabase(args['history-db']!);
    } catch (error) {
      throw new ConfigError([(error as Error).message]);
    }
  }
  // A lone `--wipe` is one explicit request: it gets its own generation.
  const generation = args.generation ?? cfg.INIT_GENERATION ?? (args.wipe ? newRunId('wipe') : undefined);
  const options = await prepareWorker(cfg, {
    wipe: args.wipe || cfg.INIT_WIPE,
    generation,
    runId: args['run-id'] ?? cfg.INIT_RUN_ID ?? newRunId('run'),
    workerName: args.name,
  });

  const pauseAfter = args['pause-after'] as HistoryEventName | undefined;
  if (pauseAfter && !HISTORY_EVENTS.includes(pauseAfter)) throw new Error(`--pause-after must be one of ${HISTORY_EVENTS.join(', ')}`);
  const pauseMs = Number(args['pause-ms'] ?? 0);
  let paused = false;

  const client = await connect({ uri, timeoutMs: Math.min(cfg.MONGODB_TIMEOUT_MS, cfg.INIT_WAIT_TIMEOUT_MS), appName: cfg.MONGODB_APP_NAME ?? 'depictio-init-worker' });
  try {
    if (args.pool) {
      // Each round names its own scratch database; the pool checks it is a drill's.
      await client.db('admin').command({ ping: 1 });
      await servePoolRounds(client, algorithm, options, () => {});
      return 0;
    }
    // Part of start-up: a first read warms the connection and the code paths before the race.
    await readLockAndState(client.db(cfg.MONGODB_DB));
    await warmUp(client.db(cfg.MONGODB_DB));
    await waitForGo();
    const log = (line: string) => !args.quiet && console.log(line);
    const onEvent = async (event: HistoryEvent) => {
      log(`${event.at.toISOString()} ${options.identity.worker_id} ${event.event}${event.fence !== null ? ` fence=${event.fence}` : ''}`);
      if (pauseAfter === event.event && !paused) {
        paused = true;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    };
    const who = options.identity.worker_id;
    if (algorithm !== 'lease') {
      const legacy = await runLegacyWorker(client, {
        algorithm,
        database: cfg.MONGODB_DB,
        historyDatabase: args['history-db']!,
        windowMs,
        options: { ...options, onEvent },
      });
      if (legacy.outcome === 'failed') {
        console.error(`${who}: ${legacy.reason}`);
        return 1;
      }
      console.log(`${who} (${algorithm}): ${legacy.outcome === 'acquired' ? `initialized${legacy.wiped ? ' after dropping the database' : ''}` : `${legacy.outcome}; done by ${legacy.completedBy}`}`);
      return 0;
    }
    const outcome = await runWorker(client.db(cfg.MONGODB_DB), { ...options, onEvent, yieldCpuWhileWaiting: true });
    switch (outcome.outcome) {
      case 'acquired':
        console.log(`${who}: initialized generation ${options.generation} (fence ${outcome.fence}${outcome.wiped ? ', wiped' : ''}; ${JSON.stringify(outcome.counts)})`);
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
  } finally {
    await client.close();
  }
}

function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID' });
}

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
  ]);
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error, USAGE),
);

/**
 * tsx cli/drill-worker.ts [worker flags] [--algorithm unsafe|copy-drop-restore|lease]
 *                            [--history-db DB] [--window-ms MS] [--pause-after EVENT --pause-ms MS]
 *
 * One worker of the race drill (lib/drill/), started by `launchWorkers` with `entry: 'drill-worker'`.
 * `--algorithm lease` (the default) runs the product's worker; the old platform's algorithms run on
 * a `drill_` scratch database only, their history in `--history-db`. `--pause-after` is fault
 * injection for the drill and the tests: stop for `--pause-ms` after the first event of that name.
 */
import { parseArgs } from 'node:util';
import { runLegacyWorker } from '../lib/drill/legacy-worker';
import { assertScratchDatabase } from '../lib/drill/scratch';
import { DRILL_ALGORITHMS, type DrillAlgorithm } from '../lib/drill/algorithms';
import { ConfigError, parseConfig } from '../lib/env';
import { HISTORY_EVENTS, type HistoryEvent, type HistoryEventName } from '../lib/schemas/history';
import { parseWholeNumberArg } from '../lib/whole-number';
import { fail } from './fail';
import { WORKER_OPTIONS, WORKER_USAGE, runLeaseWorker, startWorkerProcess } from './worker-process';

const USAGE =
  `usage: tsx cli/drill-worker.ts ${WORKER_USAGE}\n` +
  '       [--algorithm unsafe|copy-drop-restore|lease] [--history-db DB] [--window-ms MS] [--pause-after EVENT --pause-ms MS]';

const argError = (message: string) => Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID' });

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      ...WORKER_OPTIONS,
      algorithm: { type: 'string', default: 'lease' },
      'history-db': { type: 'string' },
      'window-ms': { type: 'string', default: '0' },
      'pause-after': { type: 'string' },
      'pause-ms': { type: 'string', default: '0' },
    },
  });
  const algorithm = args.algorithm as DrillAlgorithm;
  if (!DRILL_ALGORITHMS.includes(algorithm)) throw argError(`--algorithm must be one of ${DRILL_ALGORITHMS.join(', ')}`);
  const historyDatabase = args['history-db'];
  if (algorithm === 'lease' && historyDatabase !== undefined) throw argError("--history-db belongs to the drill's old algorithms");
  if (algorithm !== 'lease' && historyDatabase === undefined) throw argError(`--algorithm ${algorithm} needs --history-db`);
  const windowMs = parseWholeNumberArg('--window-ms', args['window-ms'], 0, 600_000);
  const pauseMs = parseWholeNumberArg('--pause-ms', args['pause-ms'], 0, 600_000);
  const pauseAfter = args['pause-after'] as HistoryEventName | undefined;
  if (pauseAfter && !HISTORY_EVENTS.includes(pauseAfter)) throw argError(`--pause-after must be one of ${HISTORY_EVENTS.join(', ')}`);

  const cfg = parseConfig();
  if (historyDatabase !== undefined) {
    // These algorithms drop their database: a drill's scratch database, never the platform's.
    try {
      assertScratchDatabase(cfg.MONGODB_DB);
      assertScratchDatabase(historyDatabase);
    } catch (error) {
      throw new ConfigError([(error as Error).message]);
    }
  }
  const worker = await startWorkerProcess(args, cfg);
  let paused = false;
  const onEvent = async (event: HistoryEvent) => {
    worker.logEvent(event);
    if (pauseAfter === event.event && !paused) {
      paused = true;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  try {
    if (historyDatabase === undefined) return await runLeaseWorker(worker, onEvent);
    const who = worker.options.identity.worker_id;
    const legacy = await runLegacyWorker(worker.client, {
      algorithm: algorithm as Exclude<DrillAlgorithm, 'lease'>,
      database: cfg.MONGODB_DB,
      historyDatabase,
      windowMs,
      options: { ...worker.options, onEvent },
    });
    if (legacy.outcome === 'failed') {
      console.error(`${who}: ${legacy.reason}`);
      return 1;
    }
    const done =
      legacy.outcome === 'acquired' ? `initialized${legacy.wiped ? ' after dropping the database' : ''}` : `${legacy.outcome}; done by ${legacy.completedBy}`;
    console.log(`${who} (${algorithm}): ${done}`);
    return 0;
  } finally {
    await worker.client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error, USAGE),
);

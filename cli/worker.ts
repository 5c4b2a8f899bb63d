/**
 * npm run worker -- [--wipe] [--generation G] [--run-id R] [--name NAME]
 *
 * One worker, as one API worker at boot: exits 0 when the database is initialized for the
 * generation, non-zero with the reason otherwise (1: the run failed, 2: it could not start).
 */
import { parseArgs } from 'node:util';
import { connect } from '../lib/db/client';
import { parseConfig, requireMongoUri } from '../lib/env';
import { newRunId, prepareWorker } from '../lib/init/prepare';
import { runWorker } from '../lib/init/run-worker';
import { readLockAndState } from '../lib/init/state';
import { HISTORY_EVENTS, type HistoryEventName } from '../lib/schemas/history';
import { fail, waitForGo } from './support';

const USAGE = 'usage: npm run worker -- [--wipe] [--generation G] [--run-id R] [--name NAME]';

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
    },
  });
  const cfg = parseConfig();
  const uri = requireMongoUri(cfg);
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

  const client = await connect({ uri, timeoutMs: Math.min(cfg.MONGODB_TIMEOUT_MS, cfg.INIT_WAIT_TIMEOUT_MS) });
  try {
    // Part of start-up: a first read warms the connection and the code paths before the race.
    await readLockAndState(client.db(cfg.MONGODB_DB));
    await waitForGo();
    const log = (line: string) => !args.quiet && console.log(line);
    const outcome = await runWorker(client.db(cfg.MONGODB_DB), {
      ...options,
      onEvent: async (event) => {
        log(`${event.at.toISOString()} ${options.identity.worker_id} ${event.event}${event.fence !== null ? ` fence=${event.fence}` : ''}`);
        if (pauseAfter === event.event && !paused) {
          paused = true;
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
      },
    });
    const who = options.identity.worker_id;
    switch (outcome.outcome) {
      case 'acquired':
        console.log(`${who}: initialized generation ${options.generation} (fence ${outcome.fence}${outcome.wiped ? ', wiped' : ''}; ${JSON.stringify(outcome.counts)})`);
        for (const p of options.seeds.generatedPasswords) {
          console.log(`${p.email}: no ${p.source} configured, generated password (shown once): ${p.password}`);
        }
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

main().then(
  (code) => process.exit(code),
  (error) => fail(error, USAGE),
);

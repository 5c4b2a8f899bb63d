import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { parseConfig } from '../lib/env';
import { runEvents } from '../lib/history/run-events';
import { tallyRun } from '../lib/history/run-tally';
import { launchWorkers } from '../lib/workers/launch';

export interface InitFigures {
  init_single_ms: number;
  init_single_wipe_seed_ms: number;
  init_16_ready_ms: number;
  init_ratio: number;
  init_16_target_ms: number;
  init_poll_ms: number;
  init_16_startup_ms: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * One worker's wipe-and-seed, then 16 workers released together, on a scratch database. Times
 * come from the history: from the first worker's first lock attempt (its boot event) until the
 * last worker is ready. Process start-up is measured apart and not counted.
 */
export async function benchInit(uri: string, log: (line: string) => void): Promise<InitFigures> {
  const pollMs = parseConfig().INIT_POLL_MS;
  const dbName = `bench_init_${randomBytes(3).toString('hex')}`;
  const client = await new MongoClient(uri).connect();
  const db = client.db(dbName);
  const env = { MONGODB_URI: uri, MONGODB_DB: dbName, INIT_POLL_MS: String(pollMs) };

  async function run(count: number, label: string) {
    const runId = `bench-${label}-${randomBytes(3).toString('hex')}`;
    const args = ['--wipe', '--generation', runId, '--run-id', runId, '--quiet'];
    const launch = await launchWorkers({ count, args, env });
    const failed = launch.workers.filter((w) => w.exitCode !== 0);
    if (failed.length > 0) throw new Error(`${failed.length} of ${count} workers failed: ${failed[0]!.stderr.trim()}`);
    const events = await runEvents(db, runId);
    const tally = tallyRun(events);
    if (tally.acquired !== 1 || tally.wipes !== 1) throw new Error(`run ${runId}: ${tally.acquired} acquired, ${tally.wipes} wipes`);
    const completed = events.find((e) => e.event === 'completed');
    return { ready: tally.elapsed_ms!, wipeSeed: Number(completed?.detail.elapsed_ms ?? NaN), startup: launch.startup_ms };
  }

  try {
    await run(1, 'warm-up');
    const singles = [];
    for (let i = 0; i < 5; i += 1) singles.push(await run(1, 'single'));
    const sixteens = [];
    for (let i = 0; i < 3; i += 1) sixteens.push(await run(16, 'sixteen'));
    const single = median(singles.map((s) => s.ready));
    const sixteen = median(sixteens.map((s) => s.ready));
    const figures: InitFigures = {
      init_single_ms: single,
      init_single_wipe_seed_ms: median(singles.map((s) => s.wipeSeed)),
      init_16_ready_ms: sixteen,
      init_ratio: Number((sixteen / single).toFixed(2)),
      init_16_target_ms: Math.round(1.5 * single + pollMs),
      init_poll_ms: pollMs,
      init_16_startup_ms: median(sixteens.map((s) => s.startup)),
    };
    log(
      `init: one worker, wipe and seed, first lock attempt to ready: ${figures.init_single_ms} ms (median of 5; the wipe and seed alone ${figures.init_single_wipe_seed_ms} ms; target well under 100 ms)`,
    );
    log(
      `init: 16 workers, first lock attempt to last worker ready: ${figures.init_16_ready_ms} ms (median of 3; runs ${sixteens.map((s) => s.ready).join(', ')} ms)`,
    );
    log(
      `init: ratio 16/1 = ${figures.init_ratio}; target 1.5 x ${single} + poll ${pollMs} = ${figures.init_16_target_ms} ms -> ${sixteen <= figures.init_16_target_ms ? 'met' : 'NOT met'}`,
    );
    log(`init: process start-up of 16 workers (not counted): ${figures.init_16_startup_ms} ms`);
    return figures;
  } finally {
    await db.dropDatabase().catch(() => {});
    await client.close();
  }
}

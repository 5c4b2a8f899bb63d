/**
 * npm run workers -- -n N [--wipe] [--generation G] [--json]
 *
 * Starts N worker processes at the same moment, waits for all, and prints the run's verdict,
 * counted from the database and the history afterwards. Exit 0 when the verdict passes.
 */
import { parseArgs } from 'node:util';
import { connect } from '../lib/db/client';
import { parseConfig } from '../lib/env';
import { newRunId, prepareWorker } from '../lib/init/prepare';
import { runVerdict, workersReportSchema } from '../lib/history/verdict';
import { parseWholeNumberArg } from '../lib/whole-number';
import { launchWorkers } from '../lib/workers/launch';
import { fail } from './fail';
import { withDatabase } from './with-database';

const USAGE = 'usage: npm run workers -- -n N [--wipe] [--generation G] [--json] [--verbose]';

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      n: { type: 'string', short: 'n', default: '4' },
      wipe: { type: 'boolean', default: false },
      generation: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const count = parseWholeNumberArg('-n', args.n, 1, 256);
  const cfg = parseConfig();
  const wipe = args.wipe || cfg.INIT_WIPE;
  const generation = args.generation ?? cfg.INIT_GENERATION ?? (wipe ? newRunId('gen') : undefined);
  const runId = newRunId('workers');
  // Validate the seeds once here, so a bad seed stops the launch before any process starts.
  const prepared = await prepareWorker(cfg, { wipe, generation, runId });

  return withDatabase(cfg, async (uri) => {
    const workerArgs = ['--run-id', runId, '--quiet', ...(wipe ? ['--wipe'] : []), ...(generation ? ['--generation', generation] : [])];
    const launch = await launchWorkers({ count, args: workerArgs, env: { MONGODB_URI: uri } });
    const client = await connect({ uri, timeoutMs: cfg.MONGODB_TIMEOUT_MS });
    try {
      const verdict = await runVerdict(client.db(cfg.MONGODB_DB), runId, { projects: prepared.seeds.projects.length });
      console.log(`Run ${runId}, generation ${prepared.generation}, ${count} workers (process start-up ${launch.startup_ms} ms, not counted)`);
      for (const w of launch.workers) {
        const last = (w.exitCode === 0 ? w.stdout : w.stderr || w.stdout).trim().split('\n').at(-1) ?? '';
        if (args.verbose || w.exitCode !== 0) console.log(`  worker ${w.index}: exit ${w.exitCode ?? w.signal} ${last}`);
      }
      console.log(`${verdict.pass ? 'PASS' : 'FAIL'}: ${verdict.findings.join('; ')}; all ready in ${verdict.elapsed_ms ?? '?'} ms`);
      if (args.json) console.log(JSON.stringify(workersReportSchema.parse({ ...verdict, startup_ms: launch.startup_ms })));
      return verdict.pass ? 0 : 1;
    } finally {
      await client.close();
    }
  });
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error, USAGE),
);

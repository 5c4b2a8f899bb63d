/**
 * npm run worker -- [--wipe] [--generation G] [--run-id R] [--name NAME] [--quiet]
 *
 * One worker, as one API worker at boot: exits 0 when the database is initialized for the
 * generation, non-zero with the reason otherwise (1: the run failed, 2: it could not start).
 * The race drill's workers, with the old platform's algorithms and fault injection, are
 * cli/drill-worker.ts.
 */
import { parseArgs } from 'node:util';
import { fail } from './fail';
import { WORKER_OPTIONS, WORKER_USAGE, runLeaseWorker, startWorkerProcess } from './worker-process';

async function main(): Promise<number> {
  const { values: args } = parseArgs({ options: WORKER_OPTIONS });
  const worker = await startWorkerProcess(args);
  try {
    return await runLeaseWorker(worker, worker.logEvent);
  } finally {
    await worker.client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error, `usage: npm run worker -- ${WORKER_USAGE}`),
);

import type { Db } from 'mongodb';
import { expect } from 'vitest';
import { runWorker, type WorkerOptions } from '../../lib/init/run-worker';
import { workerIdentity } from '../../lib/lock/identity';
import { loadTestSeeds } from './seeds';

/** A worker's options for an in-process run in a test: short lease, fast polls, the project's seeds. */
export async function testWorkerOptions(name: string, generation: string, extra: Partial<WorkerOptions> = {}): Promise<WorkerOptions> {
  return {
    identity: workerIdentity(name),
    seeds: await loadTestSeeds(),
    wipe: true,
    generation,
    runId: `run-${generation}`,
    leaseMs: 5_000,
    pollMs: 20,
    waitTimeoutMs: 20_000,
    ...extra,
  };
}

/** Seeds `db` as one worker does (wipe or not) and expects it to have done the work itself. */
export async function seedAs(db: Db, generation: string, wipe: boolean): Promise<void> {
  const outcome = await runWorker(db, await testWorkerOptions(`seeder-${generation}`, generation, { wipe, waitTimeoutMs: 10_000 }));
  expect(outcome.outcome).toBe('acquired');
}

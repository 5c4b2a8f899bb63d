import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS, INIT_HISTORY, PROJECTS } from '../../lib/db/collections';
import { finishAbandonedRun, watchForAbandonedRuns } from '../../lib/init/adoption-watch';
import { runWorker } from '../../lib/init/run-worker';
import { readState } from '../../lib/init/state';
import { readLock } from '../../lib/lock/lease';
import type { HistoryEvent } from '../../lib/schemas/history';
import { launchWorkers, type LaunchedWorker } from '../../lib/workers/launch';
import { mongoUri, useTestDb } from '../support/db';
import { clearFaults, releaseParked, setFault, waitParked } from '../support/faults';
import { TEST_PASSWORDS } from '../support/seeds';
import { testWorkerOptions } from '../support/worker-options';

/**
 * A live console (one that booted long ago and will not boot again) finishes a run whose process
 * died: nobody has to restart anything or press Reseed again.
 */
const { db, dbName } = useTestDb(import.meta.url);
const LEASE_MS = 1500;
const PERIOD_MS = 200;
let admin: MongoClient;

beforeAll(async () => {
  admin = await new MongoClient(mongoUri()).connect();
  const first = await runWorker(db(), await testWorkerOptions('first-boot', 'g-first', { wipe: true, leaseMs: LEASE_MS, pollMs: 50 }));
  expect(first).toMatchObject({ outcome: 'acquired' });
});
afterAll(async () => {
  await clearFaults(admin);
  await admin.close();
});

describe('a live console finishes a run whose process died', () => {
  it('holder SIGKILLed mid-wipe: nothing while its lease runs, then the watching console adopts and completes that run', async () => {
    await setFault(admin, { times: 1 }, { failCommands: ['delete'], appName: 'victim', holdUntilReleased: 'watch-mid-wipe' });
    let victim: LaunchedWorker | undefined;
    const launched = launchWorkers({
      count: 1,
      args: ['--wipe', '--generation', 'g-watched', '--run-id', 'run-g-watched', '--name', 'victim-watched', '--quiet'],
      env: { ...process.env, MONGODB_URI: mongoUri(), MONGODB_DB: dbName, INIT_LEASE_MS: String(LEASE_MS), MONGODB_APP_NAME: 'victim', ...TEST_PASSWORDS },
      onSpawn: (w) => (victim = w),
    });
    await waitParked(admin, 'watch-mid-wipe', 60_000);
    victim!.child.kill('SIGKILL');
    const killedAt = Date.now();
    await launched;
    await releaseParked(admin, 'watch-mid-wipe');
    expect(await readState(db())).toMatchObject({ status: 'in-progress', run_id: 'run-g-watched' });

    const options = await testWorkerOptions('console-watch', 'g-console', { wipe: false, leaseMs: LEASE_MS, pollMs: 50 });
    // Its holder's lease still runs: not abandoned yet, nothing is taken.
    expect(await finishAbandonedRun(db(), options)).toBeNull();
    expect((await readLock(db()))?.holder?.worker_id).toBe('victim-watched');

    const lines: string[] = [];
    const stop = watchForAbandonedRuns(
      async () => db(),
      options,
      PERIOD_MS,
      (line) => lines.push(line),
    );
    try {
      const deadline = Date.now() + LEASE_MS + 20_000;
      while ((await readState(db()))?.status !== 'complete' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      stop();
    }
    const events = await db()
      .collection<HistoryEvent>(INIT_HISTORY)
      .find({ run_id: 'run-g-watched' }, { sort: { at: 1, _id: 1 } })
      .toArray();
    const takeover = events.filter((e) => e.event === 'takeover');
    expect(takeover).toHaveLength(1);
    expect(takeover[0]).toMatchObject({ worker_id: 'console-watch', detail: { from: 'victim-watched', adopted: true } });
    const completed = events.filter((e) => e.event === 'completed');
    expect(completed.map((e) => e.worker_id)).toEqual(['console-watch']);
    // Within the dead holder's lease and a few periods (the test's machine is shared).
    expect(completed[0]!.at.getTime() - killedAt).toBeLessThan(LEASE_MS + 10 * PERIOD_MS + 5_000);
    expect(await readState(db())).toMatchObject({ status: 'complete', run_id: 'run-g-watched' });
    expect(await db().collection(PROJECTS).countDocuments()).toBe(3);
    expect(await db().collection(DASHBOARDS).countDocuments()).toBe(5);
    expect(lines.join('\n')).toContain('finished an abandoned run: acquired');
    // The watcher ran only the abandoned run: no run of its own generation.
    expect(await db().collection(INIT_HISTORY).countDocuments({ generation: 'g-console' })).toBe(0);
    // And with nothing abandoned, a look takes nothing.
    expect(await finishAbandonedRun(db(), options)).toBeNull();
  }, 120_000);
});

import { MongoClient, type Document } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS, DELTATABLES, GROUPS, INIT_HISTORY, INITIALIZATION, LOCK_ID, MULTIQC, PROJECTS, STATE_ID, USERS } from '../../lib/db/collections';
import { runWorker, type WorkerOptions } from '../../lib/init/run-worker';
import { readState } from '../../lib/init/state';
import type { HistoryEvent } from '../../lib/schemas/history';
import { launchWorkers, type LaunchedWorker } from '../../lib/workers/launch';
import { mongoUri, useTestDb } from '../support/db';
import { clearFaults, releaseParked, setFault, waitParked } from '../support/faults';
import { TEST_PASSWORDS } from '../support/seeds';
import { testWorkerOptions } from '../support/worker-options';

/**
 * A run whose process dies is finished by the next process that looks: the run's request is in
 * the state, and whoever finds it in progress with an expired lease takes over and completes that
 * run. And a process that waits always sleeps between looks and honours its deadline.
 */
const { db, dbName } = useTestDb(import.meta.url);
const LEASE_MS = 1500;
const POLL_MS = 50;
let admin: MongoClient;
const env = () => ({
  ...process.env,
  MONGODB_URI: mongoUri(),
  MONGODB_DB: dbName,
  INIT_LEASE_MS: String(LEASE_MS),
  INIT_POLL_MS: String(POLL_MS),
  ...TEST_PASSWORDS,
});

const history = (filter: Document) =>
  db()
    .collection<HistoryEvent>(INIT_HISTORY)
    .find(filter, { sort: { at: 1, _id: 1 } })
    .toArray();

const options = (name: string, generation: string, extra: Partial<WorkerOptions> = {}) =>
  testWorkerOptions(name, generation, { wipe: false, leaseMs: LEASE_MS, pollMs: POLL_MS, ...extra });

/** One worker process, killed with SIGKILL once its command is parked under `label`. */
async function killWhenParked(args: string[], label: string): Promise<{ victim: LaunchedWorker; killedAt: number }> {
  let victim: LaunchedWorker | undefined;
  const launched = launchWorkers({ count: 1, args, env: { ...env(), MONGODB_APP_NAME: 'victim' }, onSpawn: (w) => (victim = w) });
  await waitParked(admin, label, 60_000);
  victim!.child.kill('SIGKILL');
  const killedAt = Date.now();
  await launched;
  return { victim: victim!, killedAt };
}

async function runNextProcess(generation: string): Promise<LaunchedWorker> {
  const { workers } = await launchWorkers({
    count: 1,
    args: ['--generation', generation, '--run-id', `run-${generation}`, '--name', `next-${generation}`, '--quiet'],
    env: env(),
  });
  return workers[0]!;
}

async function expectAdoptedAndWhole(runId: string, victim: string, adopter: string, killedAt: number) {
  const events = await history({ run_id: runId });
  const takeover = events.filter((e) => e.event === 'takeover');
  expect(takeover).toHaveLength(1);
  expect(takeover[0]).toMatchObject({ worker_id: adopter, detail: { from: victim, adopted: true } });
  const completed = events.filter((e) => e.event === 'completed');
  expect(completed.map((e) => e.worker_id)).toEqual([adopter]);
  // Finished once the dead holder's lease ran out, not when somebody pressed a button.
  expect(completed[0]!.at.getTime() - killedAt).toBeLessThan(LEASE_MS + 10_000);
  const state = await readState(db());
  expect(state).toMatchObject({ status: 'complete' });
  expect(state?.completed_generations).toContain(runId.replace(/^run-/, ''));
  expect(await db().collection(PROJECTS).countDocuments()).toBe(3);
  expect(await db().collection(DASHBOARDS).countDocuments()).toBe(5);
}

/**
 * The lock and the state a holder leaves when it dies mid-run: the lock names it (its lease
 * ending `expiresInMs` from now; `completed` added to the lock's completed generations) and the
 * state has its run in progress, with the lock's fence and the request fields in `request`.
 */
async function plantDeadHolder(
  holder: { worker_id: string; run_id: string; generation: string; expiresInMs: number; completed?: string },
  request: Record<string, unknown>,
): Promise<void> {
  const { worker_id, run_id, generation, expiresInMs, completed } = holder;
  const locks = db().collection<{ _id: string }>(INITIALIZATION);
  const lock = await locks.findOneAndUpdate(
    { _id: LOCK_ID },
    {
      $set: { holder: { worker_id, host: 'h', pid: 1, version: 'v', run_id, generation }, lease_expires_at: new Date(Date.now() + expiresInMs) },
      ...(completed ? { $push: { completed_generations: completed } } : {}),
    } as never,
    { returnDocument: 'after' },
  );
  await locks.updateOne({ _id: STATE_ID }, {
    $set: { status: 'in-progress', generation, run_id, worker_id, fence: (lock as { fence?: number } | null)?.fence, ...request },
  } as never);
}

beforeAll(async () => {
  admin = await new MongoClient(mongoUri()).connect();
  expect(await runWorker(db(), await options('first-boot', 'g-first', { wipe: true }))).toMatchObject({ outcome: 'acquired' });
});
afterEach(async () => clearFaults(admin));
afterAll(async () => admin.close());

describe('a dead run is finished by the next process', () => {
  it('holder SIGKILLed mid-wipe: the next process (a boot of another generation) adopts the reseed and completes it', async () => {
    await setFault(admin, { times: 1 }, { failCommands: ['delete'], appName: 'victim', holdUntilReleased: 'kill-mid-wipe' });
    const { victim, killedAt } = await killWhenParked(
      ['--wipe', '--generation', 'g-reseed-wipe', '--run-id', 'run-g-reseed-wipe', '--name', 'victim-wipe', '--quiet'],
      'kill-mid-wipe',
    );
    expect(victim.signal).toBe('SIGKILL');
    expect(await readState(db())).toMatchObject({ status: 'in-progress', generation: 'g-reseed-wipe', wipe: true, seed_mode: 'replace' });
    // The dead holder's parked delete still runs (a server runs what it received): it is fenced.
    await releaseParked(admin, 'kill-mid-wipe');

    const next = await runNextProcess('g-boot-after-wipe');
    expect(next.exitCode, next.stderr).toBe(0);
    await expectAdoptedAndWhole('run-g-reseed-wipe', 'victim-wipe', 'next-g-boot-after-wipe', killedAt);
    expect((await history({ run_id: 'run-g-reseed-wipe', event: 'wipe-started' })).map((e) => e.worker_id)).toEqual(['victim-wipe', 'next-g-boot-after-wipe']);
  }, 120_000);

  it('holder SIGKILLed mid-seed: some collections written, the others not; the next process completes the run', async () => {
    // The worker's warm-up sends two updates that match nothing; one seed write passes, the rest wait.
    await setFault(admin, { skip: 3 }, { failCommands: ['update'], appName: 'victim', holdUntilReleased: 'kill-mid-seed' });
    const { killedAt } = await killWhenParked(
      ['--wipe', '--generation', 'g-reseed-seed', '--run-id', 'run-g-reseed-seed', '--name', 'victim-seed', '--quiet'],
      'kill-mid-seed',
    );
    expect(await readState(db())).toMatchObject({ status: 'in-progress', generation: 'g-reseed-seed' });
    // Half-seeded: one of the first batch's five writes landed, the four others and the dashboards did not.
    const written = [];
    for (const name of [USERS, GROUPS, PROJECTS, DELTATABLES, MULTIQC]) {
      if ((await db().collection(name).countDocuments({ seeded_run_id: 'run-g-reseed-seed' })) > 0) written.push(name);
    }
    expect(written).toHaveLength(1);
    expect(await db().collection(DASHBOARDS).countDocuments()).toBe(0);
    await releaseParked(admin, 'kill-mid-seed');

    const next = await runNextProcess('g-boot-after-seed');
    expect(next.exitCode, next.stderr).toBe(0);
    await expectAdoptedAndWhole('run-g-reseed-seed', 'victim-seed', 'next-g-boot-after-seed', killedAt);
  }, 120_000);
});

describe('every wait sleeps and honours its deadline', () => {
  it('its generation complete in the lock, the state naming another unfinished one under a live lease: polls at the poll rate, then wait-timeout', async () => {
    await plantDeadHolder(
      { worker_id: 'dead-console', run_id: 'run-g-unfinished', generation: 'g-unfinished', expiresInMs: 60_000, completed: 'g-restarted' },
      { wipe: true },
    );
    const monitored = await new MongoClient(mongoUri(), { monitorCommands: true }).connect();
    let reads = 0;
    monitored.on('commandStarted', (e) => {
      if (e.commandName === 'find' && e.command.find === INITIALIZATION) reads += 1;
    });
    try {
      const started = Date.now();
      const outcome = await runWorker(monitored.db(dbName), await options('restarted-console', 'g-restarted', { waitTimeoutMs: 800, pollMs: 100 }));
      const elapsed = Date.now() - started;
      expect(outcome).toMatchObject({ outcome: 'failed' });
      expect((outcome as { reason: string }).reason).toContain('not complete after 800 ms');
      // One read per poll (at most every 60 ms with jitter), not a busy loop.
      expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / 60) + 2);
      expect(await history({ run_id: 'run-g-restarted', event: 'wait-timeout' })).toHaveLength(1);
    } finally {
      await monitored.close();
    }
  });
});

describe('an adopted run that fails is not adopted again', () => {
  it('the adoption fails and its failure is not stored, the lock is released: the worker sleeps, then runs its own request', async () => {
    // A per-project reseed of a project the folders no longer ship, whose holder died: adopting
    // it fails (nothing is deleted), and the adopter's write of that failure is lost, so the state
    // still says the run is in progress when the lock is free again.
    const GONE = 'ffffffffffffffffffffffff';
    await plantDeadHolder(
      { worker_id: 'dead-reseeder', run_id: 'run-g-gone', generation: 'g-gone', expiresInMs: -60_000 },
      { wipe: true, seed_mode: 'replace', projects: [GONE], started_at: new Date() },
    );
    // The adopter's first update is its write of the failure (the takeover and the state's start
    // are findAndModify, the events inserts): it fails once, the release after it does not.
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'adopter', errorCode: 2, errmsg: 'lost write' });
    const pollMs = 300;
    const client = await new MongoClient(mongoUri(), { appName: 'adopter' }).connect();
    try {
      const outcome = await runWorker(client.db(dbName), await options('adopter', 'g-after-gone', { pollMs, waitTimeoutMs: 20_000 }));
      expect(outcome).toMatchObject({ outcome: 'acquired' });
    } finally {
      await client.close();
    }
    const adopted = await history({ run_id: 'run-g-gone', event: 'takeover' });
    expect(adopted.map((e) => [e.worker_id, e.detail.adopted])).toEqual([['adopter', true]]);
    const [failed] = await history({ run_id: 'run-g-gone', event: 'failed', worker_id: 'adopter' });
    expect((failed!.detail as { reason: string }).reason).toContain(GONE);
    // Between the failed adoption and the worker's own acquire: a poll's sleep (jitter: 0.6 to 1).
    const [acquired] = await history({ run_id: 'run-g-after-gone', event: 'acquired' });
    expect(acquired!.at.getTime() - failed!.at.getTime()).toBeGreaterThanOrEqual(pollMs * 0.6 - 20);
    expect(await readState(db())).toMatchObject({ status: 'complete', generation: 'g-after-gone' });
  });
});

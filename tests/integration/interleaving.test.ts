import { MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forceRelease } from '../../lib/admin/force-release';
import { DASHBOARDS, INIT_HISTORY, INITIALIZATION, LOCK_ID, PROJECTS, STATE_ID, USERS } from '../../lib/db/collections';
import { ServerClock } from '../../lib/db/server-clock';
import { serverFacts } from '../../lib/db/topology';
import { fencedWrite } from '../../lib/init/fenced';
import { runWorker, type WorkerOptions } from '../../lib/init/run-worker';
import { beginState, completeAndRelease, readState } from '../../lib/init/state';
import { wipeDatabase } from '../../lib/init/wipe';
import { writeSeeds } from '../../lib/init/seed-writer';
import { LeaseLostError } from '../../lib/lock/lease-lost-error';
import { workerIdentity } from '../../lib/lock/identity';
import { acquireLease, readLock, type Lease } from '../../lib/lock/lease';
import type { SeedBundle } from '../../lib/seeds/build';
import { startEmbeddedDb, type EmbeddedDb } from '../../lib/db/embedded';
import { mongoUri, useTestDb } from '../support/db';
import { clearFaults, releaseParked, setFault, waitParked } from '../support/faults';
import { testWorkerOptions } from '../support/worker-options';

/**
 * A real server runs commands concurrently: a stale holder (paused, then resumed) can land a
 * command at any moment between another's. These tests make each such moment happen on purpose
 * with the emulator's fault points: the stale holder's command is parked after it was sent and
 * released at the worst moment, and every scenario ends with one complete generation and nothing
 * of anybody's lost.
 */
const { db, dbName } = useTestDb(import.meta.url);
const clients: MongoClient[] = [];
let admin: MongoClient;
let seeds: SeedBundle;
let base: WorkerOptions;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IRIS = new ObjectId('646b0f3c1e4a2d7f8e5b8c9a');

/** A client of its own for one actor, so a fault point can name it (appName) and nobody else. */
async function actor(appName: string): Promise<Db> {
  const client = await new MongoClient(mongoUri(), { appName, serverSelectionTimeoutMS: 10_000 }).connect();
  clients.push(client);
  return client.db(dbName);
}

function holder(name: string, generation: string) {
  return { ...workerIdentity(name), run_id: `run-${name}`, generation };
}

const options = (name: string, generation: string, extra: Partial<WorkerOptions> = {}): WorkerOptions => ({
  ...base,
  identity: workerIdentity(name),
  generation,
  runId: `run-${generation}`,
  ...extra,
});

/** A stale holder: granted a short lease that it lets run out. */
async function staleHolder(target: Db, name: string, generation: string, leaseMs = 600): Promise<Lease> {
  const attempt = await acquireLease(target, new ServerClock(target), holder(name, generation), leaseMs);
  if (!attempt.acquired) throw new Error(`${name} did not get the lease`);
  return attempt.lease;
}

async function expectWhole(target: Db, generation: string) {
  expect(await readState(target)).toMatchObject({ status: 'complete', generation });
  expect(await target.collection(PROJECTS).countDocuments()).toBe(3);
  expect(await target.collection(DASHBOARDS).countDocuments({ seeded_fence: { $exists: true } })).toBe(5);
  expect((await readLock(target))?.holder).toBeNull();
}

beforeAll(async () => {
  base = await testWorkerOptions('base', 'g-base');
  seeds = base.seeds;
  admin = await new MongoClient(mongoUri()).connect();
  clients.push(admin);
});
afterEach(async () => clearFaults(admin));
afterAll(async () => Promise.all(clients.map((c) => c.close())));

describe('a stale holder resumes at the worst moment', () => {
  it('between its lease check and a wipe delete: the late delete reaches nothing written after its wipe began', async () => {
    expect(await runWorker(db(), options('first', 'g-wipe-0'))).toMatchObject({ outcome: 'acquired' });
    const staleDb = await actor('stale-wiper');
    const stale = await staleHolder(staleDb, 'stale-wiper', 'g-wipe-stale');
    await setFault(admin, { times: 1 }, { failCommands: ['delete'], appName: 'stale-wiper', holdUntilReleased: 'stale-delete' });
    const staleWipe = wipeDatabase(staleDb, stale).then(
      (deleted) => ({ deleted }),
      (error: unknown) => ({ error }),
    );
    const held = await waitParked(admin, 'stale-delete');

    // Its lease runs out while the delete waits; a successor takes over and completes.
    await sleep(700);
    const successor = await runWorker(db(), options('successor', 'g-wipe-1'));
    expect(successor).toMatchObject({ outcome: 'acquired', fence: stale.fence + 1 });
    // Users and the platform write after that.
    const [collection] = held.ns.split('.').slice(1);
    const userDashboard = { _id: new ObjectId(), title: 'made by a user', project_id: IRIS };
    await db().collection(DASHBOARDS).insertOne(userDashboard);
    await db()
      .collection(collection!)
      .insertOne({ _id: new ObjectId(), written: 'by the platform, after the takeover' } as never);
    const before = await db().collection(collection!).countDocuments();

    expect(await releaseParked(admin, 'stale-delete')).toBe(1);
    await staleWipe;
    expect(await db().collection(collection!).countDocuments()).toBe(before);
    expect(await db().collection(DASHBOARDS).findOne({ _id: userDashboard._id })).toMatchObject({ title: 'made by a user' });
    await expectWhole(db(), 'g-wipe-1');

    // Having lost the lease, it sends nothing more.
    await expect(writeSeeds(staleDb, seeds, stale, 'run-stale', 'replace')).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('between its lease check and a seed upsert: the successor keeps its documents and the stale holder stops', async () => {
    const staleDb = await actor('stale-seeder');
    const stale = await staleHolder(staleDb, 'stale-seeder', 'g-seed-stale');
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'stale-seeder', holdUntilReleased: 'stale-upsert' });
    const write = fencedWrite(staleDb, PROJECTS, [{ _id: IRIS, name: 'Iris, as the stale holder wrote it' }], stale, 'run-stale', 'replace', undefined).catch(
      (error: unknown) => error,
    );
    await waitParked(admin, 'stale-upsert');
    await sleep(700);
    expect(await runWorker(db(), options('seed-successor', 'g-seed-1'))).toMatchObject({ outcome: 'acquired' });
    const iris = await db().collection(PROJECTS).findOne({ _id: IRIS });

    await releaseParked(admin, 'stale-upsert');
    expect(await write).toBeInstanceOf(LeaseLostError);
    expect(await db().collection(PROJECTS).findOne({ _id: IRIS })).toEqual(iris);
    await expectWhole(db(), 'g-seed-1');
  });

  it("between its lease check and its state update: the state stays the successor's", async () => {
    const staleDb = await actor('stale-state');
    const stale = await staleHolder(staleDb, 'stale-state', 'g-state-stale');
    await beginState(staleDb, stale, {
      generation: 'g-state-stale',
      run_id: 'run-stale-state',
      worker_id: 'stale-state',
      wipe: false,
      seed_mode: 'replace',
      projects: null,
      seed_digest: seeds.digest,
      started_at: new Date(),
    });
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'stale-state', holdUntilReleased: 'stale-state' });
    // The product's end of a run: the state's completion and the release in one command.
    const complete = completeAndRelease(staleDb, stale, 'g-state-stale', new Date(), {}).catch((error: unknown) => error);
    await waitParked(admin, 'stale-state');
    await sleep(700);
    expect(await runWorker(db(), options('state-successor', 'g-state-1'))).toMatchObject({ outcome: 'acquired' });
    const state = await readState(db());

    await releaseParked(admin, 'stale-state');
    // Neither statement matched: the state and the lock are the successor's.
    expect(await complete).toBe(false);
    expect(await readState(db())).toEqual(state);
    // The successor found the stale holder's run unfinished and finished it first (adopted it).
    expect(state?.completed_generations).toEqual(expect.arrayContaining(['g-state-stale', 'g-state-1']));
    const completedStale = await db().collection(INIT_HISTORY).find({ run_id: 'run-stale-state', event: 'completed' }).toArray();
    expect(completedStale.map((e) => e.worker_id)).toEqual(['state-successor']);
  });

  it("between its lease check and its release: the successor's lock is not freed", async () => {
    const staleDb = await actor('stale-release');
    const stale = await staleHolder(staleDb, 'stale-release', 'g-release-stale');
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'stale-release', holdUntilReleased: 'stale-release' });
    const released = stale.release('g-release-stale');
    await waitParked(admin, 'stale-release');
    await sleep(700);
    // The successor holds the lease when the stale release lands.
    const next = await acquireLease(db(), new ServerClock(db()), holder('release-successor', 'g-release-1'), 10_000);
    expect(next.acquired).toBe(true);
    await releaseParked(admin, 'stale-release');
    expect(await released).toBe(false);
    const lock = await readLock(db());
    expect(lock?.holder?.worker_id).toBe('release-successor');
    expect(lock?.completed_generations ?? []).not.toContain('g-release-stale');
    if (next.acquired) await next.lease.release();
  });
});

describe('what only concurrency shows', () => {
  it('two upserts of the same absent _id at once: the legitimate holder retries and wins, no conflict', async () => {
    await db().collection(PROJECTS).deleteMany({});
    const staleDb = await actor('race-stale');
    const nextDb = await actor('race-next');
    const stale = await staleHolder(staleDb, 'race-stale', 'g-race-stale');
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'race-stale', holdUntilReleased: 'race-stale' });
    const staleWrite = fencedWrite(staleDb, PROJECTS, [{ _id: IRIS, name: 'Iris (stale)' }], stale, 'run-race-stale', 'replace', undefined).catch(
      (error: unknown) => error,
    );
    await waitParked(admin, 'race-stale');
    await sleep(700);
    const next = await staleHolder(nextDb, 'race-next', 'g-race-next', 10_000);
    expect(next.fence).toBe(stale.fence + 1);
    // The successor's upsert finds nothing to match and waits before its insert...
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'race-next', splitUpsert: true, holdUntilReleased: 'race-next' });
    const nextWrite = fencedWrite(nextDb, PROJECTS, [{ _id: IRIS, name: 'Iris Dataset Project Data Analysis' }], next, 'run-race-next', 'replace', undefined);
    await waitParked(admin, 'race-next');
    // ...the stale holder's insert of the same _id lands in between...
    await releaseParked(admin, 'race-stale');
    await staleWrite;
    expect(await db().collection(PROJECTS).findOne({ _id: IRIS })).toMatchObject({ seeded_fence: stale.fence });
    // ...and the successor's insert collides on _id: a race, not a conflict in the data.
    await releaseParked(admin, 'race-next');
    expect(await nextWrite).toBe(1);
    expect(await db().collection(PROJECTS).findOne({ _id: IRIS })).toMatchObject({ name: 'Iris Dataset Project Data Analysis', seeded_fence: next.fence });
    await next.release();
  });

  it('a stepdown in the middle of seeding (NotWritablePrimary, RetryableWriteError) is retried: one complete generation', async () => {
    const workerDb = await actor('stepdown-worker');
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'stepdown-worker', errorCode: 10107, errorLabels: ['RetryableWriteError'] });
    const outcome = await runWorker(workerDb, options('stepdown-worker', 'g-stepdown'));
    expect(outcome).toMatchObject({ outcome: 'acquired' });
    await expectWhole(db(), 'g-stepdown');
  });

  it("a stepdown at the state's start is retried: one complete generation", async () => {
    const workerDb = await actor('stepdown-begin');
    // Seeds changed since the last run (so a worker without wipe seeds again). Without a wipe,
    // 'acquired' is stored before the state's start: that findAndModify fails once.
    await db()
      .collection<{ _id: string }>(INITIALIZATION)
      .updateOne({ _id: STATE_ID }, { $set: { seed_digest: 'older-seeds' } });
    const onEvent = async (e: { event: string }) => {
      if (e.event === 'acquired') await setFault(admin, { times: 1 }, { failCommands: ['findAndModify'], appName: 'stepdown-begin', errorCode: 10107 });
    };
    const outcome = await runWorker(workerDb, options('stepdown-begin', 'g-stepdown-begin', { wipe: false, onEvent }));
    expect(outcome).toMatchObject({ outcome: 'acquired' });
    await expectWhole(db(), 'g-stepdown-begin');
  });

  it('a failover during the acquire and during a poll is retried within the wait', async () => {
    const workerDb = await actor('failover-worker');
    await setFault(
      admin,
      { times: 2 },
      { failCommands: ['findAndModify', 'find'], appName: 'failover-worker', errorCode: 189, errorLabels: ['RetryableWriteError'] },
    );
    expect(await runWorker(workerDb, options('failover-worker', 'g-failover'))).toMatchObject({ outcome: 'acquired' });
    await expectWhole(db(), 'g-failover');
  });

  it('a deleted lock document does not reset the fence: the next grant is above the highest on record', async () => {
    expect(await runWorker(db(), options('before-delete', 'g-before-delete'))).toMatchObject({ outcome: 'acquired' });
    const highest = (await readState(db()))!.fence;
    // An old platform worker's cleanup, in a mixed rolling deploy.
    await db()
      .collection(INITIALIZATION)
      .deleteOne({ _id: LOCK_ID } as never);
    const outcome = await runWorker(db(), options('after-delete', 'g-after-delete'));
    expect(outcome).toMatchObject({ outcome: 'acquired', fence: highest + 1 });
    expect(
      await db()
        .collection(USERS)
        .countDocuments({ seeded_fence: highest + 1 }),
    ).toBeGreaterThan(0);
    await expectWhole(db(), 'g-after-delete');
    const preserved = await db().collection(INIT_HISTORY).findOne({ run_id: 'run-g-after-delete', event: 'lock-preserved', 'detail.lock_recreated': true });
    expect(preserved?.detail).toMatchObject({ fence_raised_from: 1 });
  });

  it('a force-release of an expired lease whose holder renews while the release is in flight frees nothing', async () => {
    const adminDb = await actor('console-admin');
    const sleepy = await staleHolder(db(), 'sleepy', 'g-sleepy', 300);
    await sleep(400);
    const seen = (await readLock(db()))!;
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'console-admin', holdUntilReleased: 'force-release' });
    const answer = forceRelease(adminDb, { fence: seen.fence!, lease_expires_at: seen.lease_expires_at! }, 'admin@example.com');
    await waitParked(admin, 'force-release');
    expect(await sleepy.renew()).toBe(true);
    await releaseParked(admin, 'force-release');
    expect(await answer).toMatchObject({ ok: false, code: 'conflict' });
    expect((await readLock(db()))?.holder?.worker_id).toBe('sleepy');
    await sleepy.release();
  });

  it('a failing batch waits for its writes still in flight before it fails the state and releases the lock', async () => {
    const workerDb = await actor('failing-holder');
    // Its first seed write fails for good; the next one is still in flight (parked) at that moment.
    await setFault(admin, { times: 1 }, { failCommands: ['update'], appName: 'failing-holder', errorCode: 2, errmsg: 'a disk said no' });
    await setFault(admin, { times: 1 }, { failCommands: ['update'], holdUntilReleased: 'in-flight' });
    const outcome = runWorker(workerDb, options('failing-holder', 'g-failing'));
    await waitParked(admin, 'in-flight');
    await sleep(300);
    // Not released, not failed yet: the holder waits for what it sent.
    expect((await readLock(db()))?.holder?.worker_id).toBe('failing-holder');
    expect(await readState(db())).toMatchObject({ status: 'in-progress', generation: 'g-failing' });
    await releaseParked(admin, 'in-flight');
    expect(await outcome).toMatchObject({ outcome: 'failed' });
    expect(await readState(db())).toMatchObject({ status: 'failed', generation: 'g-failing' });
    expect((await readLock(db()))?.holder).toBeNull();
  });

  it('the emulator answers as a standalone: no transactions are used, fencing is per document', async () => {
    expect(await serverFacts(db())).toEqual({ topology: 'standalone', transactions: false, bulkWriteCommand: false });
  });
});

describe('on a replica set: transactional fencing', () => {
  let rs: EmbeddedDb;
  let rsAdmin: MongoClient;
  const rsDbName = `${dbName}_rs`;
  const rsActor = async (appName: string) => {
    const client = await new MongoClient(rs.uri, { appName, serverSelectionTimeoutMS: 10_000 }).connect();
    clients.push(client);
    return client.db(rsDbName);
  };
  beforeAll(async () => {
    rs = await startEmbeddedDb({ replSet: 'rs0' });
    rsAdmin = await new MongoClient(rs.uri).connect();
    clients.push(rsAdmin);
  });
  afterAll(async () => rs?.stop());

  it("a takeover while the stale holder's wipe batch is open waits for it, and the batch aborts: nothing of it lands", async () => {
    const rsDb = await rsActor('rs-observer');
    const userDoc = { _id: new ObjectId(), title: 'a user dashboard from before' };
    await rsDb.collection(DASHBOARDS).insertOne(userDoc);
    const staleDb = await rsActor('rs-stale');
    const stale = await staleHolder(staleDb, 'rs-stale', 'g-rs-stale');
    expect(stale.facts).toEqual({ topology: 'replica-set', transactions: true, bulkWriteCommand: false });
    await setFault(rsAdmin, { times: 1 }, { failCommands: ['delete'], appName: 'rs-stale', holdUntilReleased: 'rs-stale-delete' });
    const staleWipe = wipeDatabase(staleDb, stale).catch((error: unknown) => error);
    await waitParked(rsAdmin, 'rs-stale-delete');
    await sleep(700);

    // The successor (no wipe) takes over while the stale transaction, which wrote the lock, is open.
    const successor = runWorker(rsDb, options('rs-successor', 'g-rs-1', { wipe: false }));
    await sleep(300);
    await releaseParked(rsAdmin, 'rs-stale-delete');
    expect(await staleWipe).toBeInstanceOf(LeaseLostError);
    expect(await successor).toMatchObject({ outcome: 'acquired', fence: stale.fence + 1 });
    // The stale delete was rolled back with its transaction: the user's dashboard is still there.
    expect(await rsDb.collection(DASHBOARDS).findOne({ _id: userDoc._id })).toMatchObject({ title: 'a user dashboard from before' });
    await expectWhole(rsDb, 'g-rs-1');
  });

  it("a holder whose live lease an admin force-released: its next transaction's lock statement matches nothing, nothing is written", async () => {
    const rsDb = await rsActor('rs-observer-2');
    const staleDb = await rsActor('rs-stale-seed');
    // Its lease is long and its clock says it is fine: only the database knows it lost the lock.
    const stale = await staleHolder(staleDb, 'rs-stale-seed', 'g-rs-stale-seed', 30_000);
    const seen = (await readLock(rsDb))!;
    expect(
      await forceRelease(rsDb, { fence: seen.fence!, lease_expires_at: seen.lease_expires_at!, confirm_worker_id: 'rs-stale-seed' }, 'admin@example.com'),
    ).toMatchObject({ ok: true });
    const next = await staleHolder(rsDb, 'rs-next', 'g-rs-next', 10_000);
    await expect(writeSeeds(staleDb, seeds, stale, 'run-stale-seed', 'replace')).rejects.toBeInstanceOf(LeaseLostError);
    expect(await rsDb.collection(USERS).countDocuments({ seeded_run_id: 'run-stale-seed' })).toBe(0);
    await next.release();
  });
});

import { rm } from 'node:fs/promises';
import { MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forceRelease } from '../../lib/admin/force-release';
import { runIdFor, startRun } from '../../lib/admin/start-run';
import { INIT_HISTORY, INITIALIZATION, LOCK_ID, PROJECTS, USERS } from '../../lib/db/collections';
import { ServerClock } from '../../lib/db/server-clock';
import { parseConfig, type Config } from '../../lib/env';
import { runVerdict } from '../../lib/history/verdict';
import { readState } from '../../lib/init/state';
import { acquireLease, readLock, type Lease } from '../../lib/lock/lease';
import type { Holder } from '../../lib/schemas/lock';
import { mongoUri, useTestDb } from '../support/db';
import { TEST_PASSWORDS, seedsWith } from '../support/seeds';
import { snapshot } from '../support/snapshot';

const { db, dbName } = useTestDb(import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tempDirs: string[] = [];
afterAll(async () => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const IRIS = new ObjectId('646b0f3c1e4a2d7f8e5b8c9a');
const PENGUINS = new ObjectId('646b0f3c1e4a2d7f8e5b8c9d');
const BY = 'admin@example.com';

let cfg: Config;

function holder(name: string, generation = 'g-manual'): Holder {
  return { worker_id: name, host: 'test', pid: 1, version: 'test', run_id: `run-${name}`, generation };
}

/** Until the run's generation is complete (or failed): the action itself answers before that. */
async function finished(db: Db, runId: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await readState(db);
    if (state?.generation === runId && state.status !== 'in-progress') {
      const lock = await readLock(db);
      if (!lock?.holder) return state;
    }
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish`);
    await sleep(50);
  }
}

beforeAll(() => {
  cfg = parseConfig({ MONGODB_DB: dbName, INIT_LEASE_MS: '3000', ...TEST_PASSWORDS });
});

describe('reseed and seed missing (lib/admin/start-run)', () => {
  it('reseeds as a new generation with wipe under the lock, answers before the work is done, and a repeated key is the same run', async () => {
    await db().collection('leftovers').insertOne({ note: 'not seeded: the wipe removes it' });
    const first = await startRun(db(), cfg, { kind: 'reseed', seenState: 'key-reseed-1', requestedBy: BY });
    expect(first).toEqual({ ok: true, run_id: runIdFor('reseed', 'key-reseed-1'), generation: runIdFor('reseed', 'key-reseed-1'), already_started: false });
    if (!first.ok) return;
    // A double click: the same key answers with the same run and starts nothing.
    expect(await startRun(db(), cfg, { kind: 'reseed', seenState: 'key-reseed-1', requestedBy: BY })).toMatchObject({
      ok: true,
      run_id: first.run_id,
      already_started: true,
    });

    const state = await finished(db(), first.run_id);
    expect(state).toMatchObject({ status: 'complete', wipe: true, run_id: first.run_id });
    expect(await db().collection('leftovers').countDocuments()).toBe(0);
    const verdict = await runVerdict(db(), first.run_id, { projects: 3 });
    expect(verdict).toMatchObject({ pass: true, workers: 1, acquired: 1, wipes: 1, completions: 1, projects: 3 });
    const boot = await db().collection(INIT_HISTORY).find({ run_id: first.run_id, event: 'boot' }).toArray();
    expect(boot).toHaveLength(1);
    expect(boot[0]?.detail).toMatchObject({ wipe: true, requested_by: BY, mode: 'replace' });

    // After completion too, the key still means that run.
    expect(await startRun(db(), cfg, { kind: 'reseed', seenState: 'key-reseed-1', requestedBy: BY })).toMatchObject({ ok: true, already_started: true });
    expect(await db().collection(INIT_HISTORY).countDocuments({ run_id: first.run_id, event: 'boot' })).toBe(1);
  });

  it('starts nothing while a lease is held: the answer names the holder and its expiry, and nothing changes', async () => {
    const clock = new ServerClock(db());
    const attempt = await acquireLease(db(), clock, holder('busy-worker'), 10_000);
    expect(attempt.acquired).toBe(true);
    const lease = (attempt as { lease: Lease }).lease;
    const before = await snapshot(db());
    const answer = await startRun(db(), cfg, { kind: 'reseed', seenState: 'key-while-held', requestedBy: BY });
    expect(answer).toEqual({
      ok: false,
      code: 'conflict',
      error: `No run was started: busy-worker holds the lock (run run-busy-worker) until ${lease.expiresAt.toISOString()}.`,
      holder: 'busy-worker',
      lease_expires_at: lease.expiresAt.toISOString(),
    });
    expect(await snapshot(db())).toEqual(before);
    await lease.release();
  });

  it('of two reseeds at the same moment, one runs and the other names it', async () => {
    const answers = await Promise.all([
      startRun(db(), cfg, { kind: 'reseed', seenState: 'key-race-a', requestedBy: BY }),
      startRun(db(), cfg, { kind: 'reseed', seenState: 'key-race-b', requestedBy: 'other-admin@example.com' }),
    ]);
    const started = answers.filter((a) => a.ok);
    const refused = answers.filter((a) => !a.ok);
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const run = started[0] as { run_id: string };
    const boot = await db().collection(INIT_HISTORY).findOne({ run_id: run.run_id, event: 'boot' });
    expect(refused[0]).toMatchObject({ code: 'conflict', holder: boot?.worker_id });
    expect((refused[0] as { error: string }).error).toContain(`${boot?.worker_id} holds the lock (run ${run.run_id})`);
    await finished(db(), run.run_id);
  });

  it('two reseeds asked from the same state on two instances run once; the later one names that run', async () => {
    // Two console instances: two clients of the same database, asking at the same moment.
    const other = await new MongoClient(mongoUri()).connect();
    try {
      const seen = 'g-seen-by-both@41';
      const answers = await Promise.all([
        startRun(db(), cfg, { kind: 'reseed', seenState: seen, requestedBy: BY }),
        startRun(other.db(dbName), cfg, { kind: 'reseed', seenState: seen, requestedBy: 'other-admin@example.com' }),
      ]);
      expect(answers.every((a) => a.ok)).toBe(true);
      const runId = runIdFor('reseed', seen);
      expect(answers.map((a) => a.ok && a.run_id)).toEqual([runId, runId]);
      expect(answers.filter((a) => a.ok && !a.already_started)).toHaveLength(1);
      await finished(db(), runId);
      // Asked again from that same (now old) state, after it completed: already done, nothing wiped.
      expect(await startRun(other.db(dbName), cfg, { kind: 'reseed', seenState: seen, requestedBy: BY })).toMatchObject({
        ok: true,
        run_id: runId,
        already_started: true,
      });
      expect(await db().collection(INIT_HISTORY).countDocuments({ run_id: runId, event: 'wipe-started' })).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('seed missing writes only the absent documents and leaves the others exactly as they are', async () => {
    await db().collection(PROJECTS).deleteOne({ _id: IRIS });
    await db()
      .collection(PROJECTS)
      .updateOne({ _id: PENGUINS }, { $set: { touched_by_hand: true } });
    const penguinsBefore = await db().collection(PROJECTS).findOne({ _id: PENGUINS });
    const usersBefore = await db().collection(USERS).find({}).toArray();

    const answer = await startRun(db(), cfg, { kind: 'seed-missing', seenState: 'key-missing-1', requestedBy: BY });
    expect(answer).toMatchObject({ ok: true, run_id: runIdFor('seed-missing', 'key-missing-1') });
    const state = await finished(db(), runIdFor('seed-missing', 'key-missing-1'));
    expect(state).toMatchObject({ status: 'complete', wipe: false });
    expect(state.counts).toMatchObject({ projects: 1, users: 0, groups: 0, dashboards: 0 });

    expect(await db().collection(PROJECTS).findOne({ _id: IRIS })).toMatchObject({
      name: 'Iris Dataset Project Data Analysis',
      seeded_run_id: runIdFor('seed-missing', 'key-missing-1'),
    });
    expect(await db().collection(PROJECTS).findOne({ _id: PENGUINS })).toEqual(penguinsBefore);
    expect(await db().collection(USERS).find({}).toArray()).toEqual(usersBefore);
    expect(await runVerdict(db(), runIdFor('seed-missing', 'key-missing-1'))).toMatchObject({ pass: true, wipes: 0, acquired: 1 });
  });

  it('with bad seeds: a clear error naming the file and field, no lock taken, nothing wiped', async () => {
    const dir = await seedsWith('init/iris/project.yaml', (p) => (p.workflows[0].data_collections[0].id = 'not-an-id'));
    tempDirs.push(dir);
    const before = await snapshot(db());
    const answer = await startRun(db(), { ...cfg, SEEDS_DIR: dir }, { kind: 'reseed', seenState: 'key-bad-seeds', requestedBy: BY });
    expect(answer).toMatchObject({ ok: false, code: 'invalid' });
    expect((answer as { error: string }).error).toMatch(/init\/iris\/project\.yaml.*workflows\[0\]\.data_collections\[0\]\.id/s);
    expect(await snapshot(db())).toEqual(before);
  });
});

describe('force-release (lib/admin/force-release)', () => {
  it('refuses a live lease unless its worker id is typed, and a fence that changed; then releases, keeps the fence, and says who did it', async () => {
    const clock = new ServerClock(db());
    const attempt = await acquireLease(db(), clock, holder('stuck-worker', 'g-stuck'), 20_000);
    const lease = (attempt as { lease: Lease }).lease;

    expect(await forceRelease(db(), { fence: lease.fence, lease_expires_at: lease.expiresAt }, BY)).toMatchObject({
      ok: false,
      code: 'invalid',
      holder: 'stuck-worker',
    });
    expect(await forceRelease(db(), { fence: lease.fence, lease_expires_at: lease.expiresAt, confirm_worker_id: 'stuck-worke' }, BY)).toMatchObject({
      ok: false,
      code: 'invalid',
    });
    expect(await forceRelease(db(), { fence: lease.fence - 1, lease_expires_at: lease.expiresAt, confirm_worker_id: 'stuck-worker' }, BY)).toMatchObject({
      ok: false,
      code: 'conflict',
    });
    expect((await readLock(db()))?.holder?.worker_id).toBe('stuck-worker');
    // Typed, but the holder renewed since the admin looked: refused, it is alive after all.
    const seen = lease.expiresAt;
    await sleep(5);
    expect(await lease.renew()).toBe(true);
    expect(await forceRelease(db(), { fence: lease.fence, lease_expires_at: seen, confirm_worker_id: 'stuck-worker' }, BY)).toMatchObject({
      ok: false,
      code: 'conflict',
      error: expect.stringContaining('renewed until'),
    });
    expect((await readLock(db()))?.holder?.worker_id).toBe('stuck-worker');

    expect(await forceRelease(db(), { fence: lease.fence, lease_expires_at: lease.expiresAt, confirm_worker_id: 'stuck-worker' }, BY)).toEqual({
      ok: true,
      released: 'stuck-worker',
      expired: false,
      run_id: 'run-stuck-worker',
      generation: 'g-stuck',
    });
    const lock = await readLock(db());
    expect(lock).toMatchObject({ holder: null, fence: lease.fence, released_by: BY, force_released_by: BY, force_released_holder: 'stuck-worker' });
    const event = await db().collection(INIT_HISTORY).findOne({ run_id: 'run-stuck-worker', event: 'force-released' });
    expect(event).toMatchObject({ worker_id: `admin:${BY}`, fence: lease.fence, detail: { by: BY, holder: 'stuck-worker', expired: false } });
    // The holder, if alive, finds out at its next renewal and stops.
    expect(await lease.renew()).toBe(false);
    expect(lease.signal.aborted).toBe(true);
    // Nothing to release now.
    expect(await forceRelease(db(), { fence: lease.fence, lease_expires_at: lease.expiresAt }, BY)).toMatchObject({
      ok: false,
      code: 'conflict',
      error: 'The lock is not held: there is nothing to release.',
    });
  });

  it('releases an expired lease without typing, and the next worker gets fence + 1', async () => {
    const clock = new ServerClock(db());
    const attempt = await acquireLease(db(), clock, holder('dead-worker', 'g-dead'), 300);
    const lease = (attempt as { lease: Lease }).lease;
    await sleep(500);
    expect(await forceRelease(db(), { fence: lease.fence, lease_expires_at: lease.expiresAt }, BY)).toMatchObject({
      ok: true,
      released: 'dead-worker',
      expired: true,
    });
    const next = await acquireLease(db(), clock, holder('next-worker', 'g-next'), 1_000);
    expect(next.acquired && next.lease.fence).toBe(lease.fence + 1);
    if (next.acquired) await next.lease.release();
    expect(
      (
        await db()
          .collection(INITIALIZATION)
          .findOne({ _id: LOCK_ID } as never)
      )?.force_released_by,
    ).toBeNull();
  });

  it('does not release an expired lease whose holder renewed it after the admin looked', async () => {
    const clock = new ServerClock(db());
    const attempt = await acquireLease(db(), clock, holder('sleepy-worker', 'g-sleepy'), 300);
    const lease = (attempt as { lease: Lease }).lease;
    await sleep(500);
    const seen = (await readLock(db()))!.lease_expires_at!;
    // The admin sees it expired; meanwhile the holder wakes up and renews.
    expect(await lease.renew()).toBe(true);
    const answer = await forceRelease(db(), { fence: lease.fence, lease_expires_at: seen }, BY);
    expect(answer).toMatchObject({ ok: false, code: 'conflict', holder: 'sleepy-worker' });
    expect((await readLock(db()))?.holder?.worker_id).toBe('sleepy-worker');
    await lease.release();
  });
});

import { spawn } from 'node:child_process';
import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { reseedPlan, UnknownProjectError } from '../../lib/admin/reseed-plan';
import { reseedPlanSchema } from '../../lib/admin/schemas';
import { runIdFor, startRun } from '../../lib/admin/start-run';
import { DASHBOARDS, DELTATABLES, INIT_HISTORY, MULTIQC, PROJECTS, USERS } from '../../lib/db/collections';
import { parseConfig, type Config } from '../../lib/env';
import { runVerdict } from '../../lib/history/verdict';
import { runWorker, type WorkerOutcome } from '../../lib/init/run-worker';
import { ServerClock } from '../../lib/db/server-clock';
import { beginState, readState } from '../../lib/init/state';
import { workerIdentity } from '../../lib/lock/identity';
import { acquireLease, readLock } from '../../lib/lock/lease';
import { PROJECT_ROOT, lastJsonLine, runCli } from '../support/cli';
import { mongoUri, useTestDb } from '../support/db';
import { clearFaults, releaseParked, setFault, waitParked } from '../support/faults';
import { TEST_PASSWORDS, loadTestSeeds } from '../support/seeds';
import { seedAs, testWorkerOptions } from '../support/worker-options';

const { db, dbName } = useTestDb(import.meta.url);
const clients: MongoClient[] = [];
afterAll(async () => Promise.all(clients.map((c) => c.close())));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const IRIS = new ObjectId('646b0f3c1e4a2d7f8e5b8c9a');
const PENGUINS = new ObjectId('646b0f3c1e4a2d7f8e5b8c9d');
const IRIS_DASHBOARD = new ObjectId('6824cb3b89d2b72169309737');
const BY = 'admin@example.com';

let cfg: Config;
let admin: MongoClient;

beforeAll(async () => {
  cfg = parseConfig({ MONGODB_DB: dbName, INIT_LEASE_MS: '3000', ...TEST_PASSWORDS });
  admin = await new MongoClient(mongoUri(), { serverSelectionTimeoutMS: 10_000 }).connect();
  clients.push(admin);
});

/** A client of its own, so that a fault point can pick its commands by appName. */
async function actor(appName: string): Promise<Db> {
  const client = await new MongoClient(mongoUri(), { appName, serverSelectionTimeoutMS: 10_000 }).connect();
  clients.push(client);
  return client.db(dbName);
}

/** startRun, and the outcome once its history is stored. */
async function reseedProject(on: Db, project: string, seenState: string) {
  let done!: (outcome: WorkerOutcome) => void;
  const finished = new Promise<WorkerOutcome>((resolve) => (done = resolve));
  const started = await startRun(on, cfg, { kind: 'reseed-project', project, seenState, requestedBy: BY }, { onDone: done });
  return { started, finished };
}

/** The documents of a collection that belong to `project` (by project id, or by DC for registrations). */
async function docsOf(name: string, filter: Document): Promise<Document[]> {
  return db().collection(name).find(filter).sort({ _id: 1 }).toArray();
}

async function dcIdsOf(project: ObjectId): Promise<ObjectId[]> {
  const doc = await db().collection(PROJECTS).findOne({ _id: project });
  return (doc?.workflows ?? []).flatMap((wf: Document) => (wf.data_collections ?? []).map((dc: Document) => dc._id as ObjectId));
}

/** Everything not of iris: other projects, their dashboards and registrations, users, groups. */
async function notIris(): Promise<Record<string, Document[]>> {
  const irisDcs = await dcIdsOf(IRIS);
  return {
    projects: await docsOf(PROJECTS, { _id: { $ne: IRIS } }),
    dashboards: await docsOf(DASHBOARDS, { project_id: { $ne: IRIS } }),
    deltatables: await docsOf(DELTATABLES, { data_collection_id: { $nin: irisDcs } }),
    multiqc: await docsOf(MULTIQC, { data_collection_id: { $nin: irisDcs } }),
    users: await docsOf(USERS, {}),
    groups: await docsOf('groups', {}),
  };
}

/** A worker's boot that has taken the lease and stays there (paused at its `acquired` event) until resumed. */
async function bootHoldingTheLease(name: string, generation: string): Promise<{ boot: Promise<WorkerOutcome>; resume: () => void }> {
  let resume!: () => void;
  const paused = new Promise<void>((resolve) => (resume = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const onEvent = async (e: { event: string }) => {
    if (e.event !== 'acquired') return;
    holding();
    await paused;
  };
  const boot = runWorker(db(), await testWorkerOptions(name, generation, { onEvent }));
  await held;
  return { boot, resume };
}

describe('per-project reseed (lib/admin/start-run, reseed-plan, init/scope)', () => {
  it("reseeds iris only: a user's dashboard in iris and a new user stay, the other projects are byte-identical, iris is fresh", async () => {
    await seedAs(db(), 'g-base', true);
    const before = await db().collection(PROJECTS).findOne({ _id: IRIS });
    const userDashboard = { _id: new ObjectId(), title: 'My iris dashboard', project_id: IRIS, stored_metadata: [], permissions: { owners: [] } };
    await db().collection(DASHBOARDS).insertOne(userDashboard);
    const user = { _id: new ObjectId(), email: 'someone@example.com', password: '$2b$10$abcdefghijklmnopqrstuv', is_admin: false };
    await db().collection(USERS).insertOne(user);
    // An admin's edit of the seeded iris dashboard: the reseed brings the shipped one back.
    await db()
      .collection(DASHBOARDS)
      .updateOne({ _id: IRIS_DASHBOARD }, { $set: { title: 'edited by hand' } });
    const others = await notIris();

    const plan = await reseedPlan(db(), cfg, { project: 'Iris Dataset Project Data Analysis' });
    expect(plan).toMatchObject({ scope: 'project', project: { id: IRIS.toHexString(), folder: 'init/iris' } });
    const planned = Object.fromEntries(plan.collections.map((c) => [c.name, c]));
    expect(planned.projects).toEqual({ name: 'projects', delete: 1, write: 1, keep: 2 });
    expect(planned.dashboards).toMatchObject({ delete: 1, write: 1 });
    expect(planned.users).toMatchObject({ delete: 0, write: 0, keep: others.users!.length });
    expect(plan.notes.join(' ')).toContain('1 dashboard made by users inside this project');

    const { started, finished } = await reseedProject(db(), IRIS.toHexString(), plan.seen_state);
    expect(started).toMatchObject({ ok: true, already_started: false, run_id: runIdFor('reseed-project', plan.seen_state, IRIS.toHexString()) });
    const outcome = await finished;
    expect(outcome).toMatchObject({ outcome: 'acquired', wiped: true });
    if (outcome.outcome !== 'acquired' || !started.ok) return;

    expect(await db().collection(DASHBOARDS).findOne({ _id: userDashboard._id })).toEqual(userDashboard);
    expect(await db().collection(USERS).findOne({ _id: user._id })).toEqual(user);
    expect(await notIris()).toEqual(others);
    const iris = await db().collection(PROJECTS).findOne({ _id: IRIS });
    expect(iris?.seeded_fence).toBe(outcome.fence);
    expect(iris?.seeded_fence).toBeGreaterThan(before?.seeded_fence as number);
    expect(iris?.seeded_run_id).toBe(started.run_id);
    const dashboard = await db().collection(DASHBOARDS).findOne({ _id: IRIS_DASHBOARD });
    expect(dashboard).toMatchObject({ title: 'Iris Dashboard demo', seeded_fence: outcome.fence });
    for (const dc of await dcIdsOf(IRIS)) {
      for (const reg of await docsOf(DELTATABLES, { data_collection_id: dc })) expect(reg.seeded_fence).toBe(outcome.fence);
    }
    // What the plan said is what was written: one project, one dashboard.
    expect(outcome.counts).toMatchObject({ projects: 1, dashboards: 1, users: 0, groups: 0 });

    const verdict = await runVerdict(db(), started.run_id, { projects: 3 });
    expect(verdict).toMatchObject({ pass: true, acquired: 1, wipes: 1, completions: 1, projects: 3 });
    const seeded = await db().collection(INIT_HISTORY).find({ run_id: started.run_id, event: 'seeded-project' }).toArray();
    expect(seeded.map((e) => e.detail)).toEqual([expect.objectContaining({ project_id: IRIS.toHexString(), folder: 'init/iris' })]);
    expect((await readState(db()))?.projects).toEqual([IRIS.toHexString()]);
  });

  it('a booting worker without wipe after a per-project reseed seeds again: that state does not vouch for every folder', async () => {
    const outcome = await runWorker(
      db(),
      await testWorkerOptions('boot-after-project', 'unused', { wipe: false, generation: 'seed-after-project', seedMode: 'missing' }),
    );
    expect(outcome.outcome).toBe('acquired');
  });

  it('two per-project reseeds sent at the same moment: one runs, the other is refused and names the holder', async () => {
    const seen = (await reseedPlan(db(), cfg, { project: IRIS.toHexString() })).seen_state;
    const a = await actor('reseed-a');
    const b = await actor('reseed-b');
    // A's lock attempt reaches the server, then waits there while B's goes through.
    await setFault(admin, { times: 1 }, { failCommands: ['findAndModify'], appName: 'reseed-a', holdUntilReleased: 'reseed-a-lock' });
    const first = reseedProject(a, IRIS.toHexString(), seen);
    await waitParked(admin, 'reseed-a-lock');
    const second = await reseedProject(b, PENGUINS.toHexString(), seen);
    expect(second.started).toMatchObject({ ok: true, already_started: false });
    await releaseParked(admin, 'reseed-a-lock');
    const refused = (await first).started;
    await clearFaults(admin, 'reseed-a');
    expect(refused).toMatchObject({ ok: false, code: 'conflict' });
    if (refused.ok || !second.started.ok) return;
    expect(refused.error).toContain(second.started.run_id);
    expect(await second.finished).toMatchObject({ outcome: 'acquired' });
    const refusedRun = runIdFor('reseed-project', seen, IRIS.toHexString());
    expect(await db().collection(INIT_HISTORY).countDocuments({ run_id: refusedRun })).toBe(0);

    // The same request twice (a double click): one run.
    const again = (await reseedPlan(db(), cfg, { project: 'Iris Dataset Project Data Analysis' })).seen_state;
    const one = await reseedProject(db(), IRIS.toHexString(), again);
    const two = await reseedProject(db(), IRIS.toHexString(), again);
    expect(one.started).toMatchObject({ ok: true, already_started: false });
    expect(two.started).toMatchObject({ ok: true, already_started: true, run_id: one.started.ok ? one.started.run_id : '' });
    await one.finished;
  });

  it("is refused while a worker's boot holds the lease, names that worker, and changes nothing", async () => {
    const { boot, resume } = await bootHoldingTheLease('booting-worker', 'g-boot-holds');
    const lock = await readLock(db());
    expect(lock?.holder?.worker_id).toContain('booting-worker');
    const seen = (await reseedPlan(db(), cfg, { project: IRIS.toHexString() })).seen_state;
    const { started } = await reseedProject(db(), IRIS.toHexString(), seen);
    expect(started).toMatchObject({ ok: false, code: 'conflict', holder: lock?.holder?.worker_id });
    if (started.ok) return;
    expect(started.error).toContain(lock!.holder!.worker_id);
    expect(
      await db()
        .collection(INIT_HISTORY)
        .countDocuments({ run_id: runIdFor('reseed-project', seen, IRIS.toHexString()) }),
    ).toBe(0);
    resume();
    expect(await boot).toMatchObject({ outcome: 'acquired' });
  });

  it('a per-project run whose holder died is finished as that same per-project run: the adopter keeps the user data', async () => {
    const userDashboard = { _id: new ObjectId(), title: 'kept through adoption', project_id: IRIS, stored_metadata: [] };
    await db().collection(DASHBOARDS).insertOne(userDashboard);
    await db().collection(USERS).insertOne({ email: 'adoption@example.com', is_admin: false });
    const seeds = await loadTestSeeds();
    const runId = 'reseed-project-died-after-begin';
    // The dead holder: it took the lease and recorded its request, and nothing more (no heartbeat).
    const attempt = await acquireLease(db(), new ServerClock(db()), { ...workerIdentity('died'), run_id: runId, generation: runId }, 400);
    expect(attempt.acquired).toBe(true);
    if (!attempt.acquired) return;
    await beginState(db(), attempt.lease, {
      generation: runId,
      run_id: runId,
      worker_id: 'died',
      wipe: true,
      seed_mode: 'replace',
      projects: [IRIS.toHexString()],
      seed_digest: seeds.digest,
      started_at: new Date(),
    });
    await sleep(600);
    const outcome = await runWorker(db(), await testWorkerOptions('adopter', 'g-after-adoption', { wipe: false }));
    expect(outcome.outcome).toBe('acquired');
    const adopted = await db().collection(INIT_HISTORY).find({ run_id: runId }).toArray();
    expect(adopted.find((e) => e.event === 'takeover')?.detail).toMatchObject({ adopted: true });
    expect(adopted.find((e) => e.event === 'wiped')?.detail.deleted).toMatchObject({ projects: 1, dashboards: 1 });
    expect(adopted.filter((e) => e.event === 'seeded-project').map((e) => e.detail.project_id)).toEqual([IRIS.toHexString()]);
    expect(await db().collection(DASHBOARDS).findOne({ _id: userDashboard._id })).toEqual(userDashboard);
    expect(await db().collection(USERS).countDocuments({ email: 'adoption@example.com' })).toBe(1);
  });

  it('refuses a project the seeds do not ship, before anything', async () => {
    await expect(reseedPlan(db(), cfg, { project: 'no such project' })).rejects.toBeInstanceOf(UnknownProjectError);
    const { started } = await reseedProject(db(), new ObjectId().toHexString(), 'none');
    expect(started).toMatchObject({ ok: false, code: 'invalid' });
    expect(await readLock(db())).toMatchObject({ holder: null });
  });

  it('npm run reseed: --plan prints the plan and changes nothing; --project --yes runs it; a held lease exits 1 naming the holder', async () => {
    const env = { MONGODB_URI: mongoUri(), MONGODB_DB: dbName, SEEDS_DIR: undefined, INIT_LEASE_MS: '3000', ...TEST_PASSWORDS };
    const projectsBefore = await docsOf(PROJECTS, {});
    const planned = await runCli('reseed', ['--project', 'Iris Dataset Project Data Analysis', '--plan', '--json'], env);
    expect(planned.code).toBe(0);
    expect(z.object({ plan: reseedPlanSchema }).parse(lastJsonLine(planned.stdout)).plan.scope).toBe('project');
    expect(await docsOf(PROJECTS, {})).toEqual(projectsBefore);

    const all = await runCli('reseed', ['--all', '--plan'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('every dashboard');

    const noTerminal = await runCli('reseed', ['--project', IRIS.toHexString()], env);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('--yes');

    const ran = await runCli('reseed', ['--project', IRIS.toHexString(), '--yes', '--json'], env);
    expect(ran.code, ran.stderr).toBe(0);
    // The run's report: its plan, the run id and the worker's outcome (WorkerOutcome, a type with no schema: its name is enough here).
    const report = z.object({ plan: reseedPlanSchema, run_id: z.string(), outcome: z.string() }).parse(lastJsonLine(ran.stdout));
    expect(report.outcome).toBe('acquired');
    expect((await db().collection(PROJECTS).findOne({ _id: IRIS }))?.seeded_run_id).toBe(report.run_id);

    const { boot, resume } = await bootHoldingTheLease('cli-blocker', 'g-cli-blocker');
    const refused = await runCli('reseed', ['--project', IRIS.toHexString(), '--yes'], env);
    resume();
    await boot;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cli-blocker');
  });

  it('a console killed after answering and before its run began: once its lease ends, the same request runs it (not "already started" forever)', async () => {
    const project = IRIS.toHexString();
    const plan = await reseedPlan(db(), cfg, { project });
    const runId = runIdFor('reseed-project', plan.seen_state, project);
    // The CLI's boot event is parked on the server; the process dies with it sent (so the server
    // stores it, as a real one would) and its state never begun.
    await setFault(admin, { times: 1 }, { failCommands: ['insert'], appName: 'depictio-init-console-reseed', holdUntilReleased: 'boot' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/reseed.ts', '--project', project, '--yes', '--json'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MONGODB_URI: mongoUri(), MONGODB_DB: dbName, SEEDS_DIR: undefined, INIT_LEASE_MS: '3000', ...TEST_PASSWORDS },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitParked(admin, 'boot', 60_000);
      child.kill('SIGKILL');
      await exited;
      expect(await releaseParked(admin, 'boot')).toBe(1);
    } finally {
      await clearFaults(admin);
    }
    expect(await db().collection(INIT_HISTORY).countDocuments({ run_id: runId, event: 'boot' })).toBe(1);
    expect((await readState(db()))?.run_id).not.toBe(runId);

    // While the dead holder's lease runs, its run is the answer: nobody starts a second one.
    expect((await reseedProject(db(), project, plan.seen_state)).started).toMatchObject({ ok: true, run_id: runId, already_started: true });
    const lock = await readLock(db());
    expect(lock?.holder?.run_id).toBe(runId);
    await sleep(Math.max(0, lock!.lease_expires_at!.getTime() - Date.now()) + 200);

    const again = await reseedProject(db(), project, plan.seen_state);
    expect(again.started).toMatchObject({ ok: true, run_id: runId, already_started: false });
    expect(await again.finished).toMatchObject({ outcome: 'acquired' });
    expect(await readState(db())).toMatchObject({ run_id: runId, status: 'complete' });
    const takeover = await db().collection(INIT_HISTORY).findOne({ run_id: runId, event: 'takeover' });
    expect(takeover?.detail).toMatchObject({ from_run: runId });
    expect((await runVerdict(db(), runId)).pass).toBe(true);
  });
});

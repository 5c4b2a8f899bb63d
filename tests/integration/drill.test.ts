import { spawn, type ChildProcess } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startRun } from '../../lib/admin/start-run';
import { REFUSED, runGuarded, type Refusal } from '../../lib/auth/action-guard';
import { createSessionToken } from '../../lib/auth/session';
import { DRILL_RUNS } from '../../lib/db/collections';
import { ServerClock } from '../../lib/db/server-clock';
import { consoleInstance, drillJobSchema, readDrillJob, startDrillJob } from '../../lib/drill/job';
import { DRILL_LEASE_ID, readDrillLease } from '../../lib/drill/lease';
import { drillRequestSchema, type DrillRequest } from '../../lib/drill/request';
import { runDrill } from '../../lib/drill/run-drill';
import type { DrillResult } from '../../lib/drill/types';
import { parseConfig } from '../../lib/env';
import { runEvents } from '../../lib/history/run-events';
import { PROJECT_ROOT } from '../support/cli';
import { mongoUri, useTestDb } from '../support/db';
import { SEEDED_ADMIN } from '../support/session';
import { TEST_PASSWORDS } from '../support/seeds';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The race drill against real worker processes over a real socket. Each drill makes its own
 * `drill_` scratch database; the tests that keep it (to read the history themselves) drop it here.
 */
describe('race drill', () => {
  let client: MongoClient | undefined;
  const kept: string[] = [];
  const db = (name: string) => {
    client ??= new MongoClient(mongoUri(), { serverSelectionTimeoutMS: 10_000 });
    return client.db(name);
  };
  const keep = (r: DrillResult) => kept.push(...new Set([r.database, r.history_database]));
  const history = (r: DrillResult) => runEvents(db(r.history_database), r.run_id);

  afterAll(async () => {
    for (const name of kept)
      await db(name)
        .dropDatabase()
        .catch(() => {});
    await client?.close();
  });

  it('unsafe, 8 workers: the history shows several wipes, and the report names what is wrong in the data', async () => {
    const r = await runDrill(mongoUri(), { algorithm: 'unsafe', workers: 8, keep: true });
    keep(r);
    const events = await history(r);
    const wiped = events.filter((e) => e.event === 'wiped');
    // Every worker cleared the lock and dropped the database: each one wiped.
    expect(wiped.length).toBeGreaterThan(1);
    expect(new Set(wiped.map((e) => e.worker_id)).size).toBe(wiped.length);
    expect(r.wipes).toBe(wiped.length);
    expect(r.acquired).toBeGreaterThan(1);
    // The data left behind: the platform's only "done" marker went with a dropped database.
    expect(r.completion_marker).toBe(false);
    expect(r.data_problems.length).toBeGreaterThan(0);
    expect(r.data_problems.join('\n')).toMatch(/no completion marker/);
    expect(r.findings).toEqual(expect.arrayContaining([...r.data_problems, `${r.wipes} wipes in one run`]));
    expect(r.pass).toBe(false);
    // The scratch database is a drill's, and its history lives apart from what dropDatabase removes.
    expect(r.database).toMatch(/^drill_unsafe_/);
    expect(r.history_database).toBe(`${r.database}_history`);
  }, 150_000);

  it('copy-drop-restore, 8 workers + 2 late, window 200 ms: a late starter takes the lock in the window and wipes again', async () => {
    const r = await runDrill(mongoUri(), { algorithm: 'copy-drop-restore', workers: 8, late: 2, lateAfterMs: 100, windowMs: 200, keep: true });
    keep(r);
    const events = await history(r);
    const lateInWindow = r.breaches.filter((b) => b.late && b.in_window && b.wiped_again);
    expect(lateInWindow.length).toBeGreaterThan(0);
    const breach = lateInWindow[0]!;
    expect(breach.ms_into_window).toBeGreaterThanOrEqual(0);
    expect(breach.ms_into_window).toBeLessThanOrEqual(200 + 50);
    // The history agrees: the late starter acquired and then wiped.
    const byLate = events.filter((e) => e.worker_id === breach.taken_by).map((e) => e.event);
    expect(byLate).toEqual(expect.arrayContaining(['acquired', 'wipe-started', 'wiped']));
    expect(r.wipes).toBeGreaterThanOrEqual(2);
    // The report says so, in words.
    expect(r.run_problems).toContainEqual(
      expect.stringMatching(new RegExp(`^late starter ${breach.taken_by} took the lock \\d+ ms into .*drop-to-restore window and wiped again$`)),
    );
    expect(r.findings).toContainEqual(expect.stringMatching(/^\d+ wipes in one run$/));
    expect(r.window_ms).toBe(200);
    expect(r.pass).toBe(false);
  }, 150_000);

  it('lease, 8 workers + 2 late, 20 times: every time one acquired, one wipe, three projects, no invalid component', async () => {
    const results: DrillResult[] = [];
    for (let round = 0; round < 20; round += 1)
      results.push(await runDrill(mongoUri(), { algorithm: 'lease', workers: 8, late: 2, lateAfterMs: 100, windowMs: 200 }));
    expect(results).toHaveLength(20);
    for (const r of results) {
      expect({ round: r.run_id, acquired: r.acquired, wipes: r.wipes, projects: r.projects, invalid: r.invalid_components }).toEqual({
        round: r.run_id,
        acquired: 1,
        wipes: 1,
        projects: 3,
        invalid: 0,
      });
      expect(r.workers).toBe(10);
      expect(r.exit_codes).toEqual({ 0: 10 });
      expect(r.breaches).toEqual([]);
      expect(r.pass).toBe(true);
    }
    // Twenty fresh scratch databases, twenty generations.
    expect(new Set(results.map((r) => r.database)).size).toBe(20);
    // Each round starts its own ten processes (about a second of CPU each): minutes on two busy cores.
  }, 600_000);

  it('lease with the holder killed (SIGKILL) mid-seed: takeover after the lease, one completed generation', async () => {
    const r = await runDrill(mongoUri(), { algorithm: 'lease', workers: 6, leaseMs: 1_000, killHolder: true, killPauseMs: 1_500, keep: true });
    keep(r);
    expect(r.killed).toHaveLength(1);
    const victim = r.killed[0]!;
    expect(r.exit_codes.SIGKILL).toBe(1);
    const events = await history(r);
    const mine = events.filter((e) => e.worker_id === victim).map((e) => e.event);
    // Killed after its first project, before it could finish.
    expect(mine).toContain('seeded-project');
    expect(mine).not.toContain('completed');

    const takeovers = events.filter((e) => e.event === 'takeover');
    expect(takeovers).toHaveLength(1);
    const takeover = takeovers[0]!;
    expect(takeover.detail.from).toBe(victim);
    // After the lease: the victim's last expiry had passed when the successor took over.
    const expiries = events
      .filter((e) => e.worker_id === victim && e.detail.lease_expires_at instanceof Date)
      .map((e) => (e.detail.lease_expires_at as Date).getTime());
    expect(takeover.at.getTime()).toBeGreaterThanOrEqual(Math.max(...expiries));
    expect(takeover.fence).toBeGreaterThan(events.find((e) => e.worker_id === victim && e.event === 'acquired')!.fence!);

    const completed = events.filter((e) => e.event === 'completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.worker_id).toBe(takeover.worker_id);
    expect(r).toMatchObject({ takeovers: 1, completions: 1, acquired: 2, projects: 3, invalid_components: 0, completion_marker: true, pass: true });
    expect(r.findings).toContain('1 holder died and was taken over');
  }, 150_000);
});

/**
 * Drills started from the console: one at a time across every console instance (the drill lease),
 * bounded requests, and a drill whose console died shown as interrupted once its lease expires.
 */
describe('drill jobs (lib/drill/job)', () => {
  const { db, client, dbName } = useTestDb(import.meta.url);
  const cfg = () => parseConfig({ MONGODB_DB: dbName, ...TEST_PASSWORDS });
  const small: DrillRequest = { algorithms: ['lease'], workers: 1, late: 0, lateAfterMs: 0, windowMs: 0 };
  const scratch = new Set<string>();
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const doc of await db()
      .collection(DRILL_RUNS)
      .find({ progress: { $exists: true } })
      .toArray()) {
      for (const p of Object.values(doc.progress as Record<string, { database: string }>)) scratch.add(p.database).add(`${p.database}_history`);
    }
    for (const name of scratch)
      await client()
        .db(name)
        .dropDatabase()
        .catch(() => {});
  });

  async function finished(id: string, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await readDrillJob(db(), id);
      if (job && job.status !== 'running') return job;
      if (Date.now() > deadline) throw new Error(`drill ${id} still ${job?.status} after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  it('two start requests at once over two connections: one drill runs, the other is refused naming it', async () => {
    // Two console instances: two clients, two connection pools, the same database.
    const other = await new MongoClient(mongoUri(), { serverSelectionTimeoutMS: 10_000 }).connect();
    try {
      // A lease of 1 s, shorter than the drill (a late starter 1.5 s after the first): only its
      // renewals keep the drill running while it is read.
      const longer: DrillRequest = { ...small, late: 1, lateAfterMs: 1_500 };
      const [a, b] = await Promise.all([
        startDrillJob(db(), mongoUri(), longer, 'a@example.com', { config: cfg(), leaseMs: 1_000 }),
        startDrillJob(other.db(dbName), mongoUri(), longer, 'b@example.com', { config: cfg(), leaseMs: 1_000 }),
      ]);
      const started = [a, b].filter((r) => r.ok);
      const refused = [a, b].filter((r) => !r.ok);
      expect(started).toHaveLength(1);
      expect(refused).toHaveLength(1);
      const winner = started[0] as { ok: true; job_id: string };
      const loser = refused[0] as Refusal;
      const by = winner === a ? 'a@example.com' : 'b@example.com';
      expect(loser).toMatchObject({ ok: false, code: 'conflict', holder: consoleInstance().worker_id });
      expect(loser.error).toContain(`drill ${winner.job_id}, started by ${by}, is running on console ${consoleInstance().worker_id}`);
      expect(
        await db()
          .collection(DRILL_RUNS)
          .countDocuments({ _id: { $ne: DRILL_LEASE_ID } } as never),
      ).toBe(1);

      // The job names its holder; the lease is renewed while it runs and released at the end.
      const lease = await readDrillLease(db());
      expect(lease?.holder).toMatchObject({ job_id: winner.job_id, instance: consoleInstance().worker_id, pid: process.pid, started_by: by });
      const job = await finished(winner.job_id);
      expect(job).toMatchObject({ status: 'done', holder: { job_id: winner.job_id, instance: consoleInstance().worker_id }, interrupted: null });
      expect(job.finished_at!.getTime() - job.started_at.getTime()).toBeGreaterThan(1_000);
      expect(job.results.map((r) => [r.algorithm, r.pass])).toEqual([['lease', true]]);
      const released = await readDrillLease(db());
      expect(released?.holder).toBeNull();
      expect(released?.renewals).toBeGreaterThan(0);
      expect(released?.released_at).toBeInstanceOf(Date);

      // Free again: the next request starts.
      const next = await startDrillJob(other.db(dbName), mongoUri(), small, 'b@example.com', { config: cfg() });
      expect(next.ok).toBe(true);
      if (next.ok) expect((await finished(next.job_id)).status).toBe('done');
    } finally {
      await other.close();
    }
  }, 180_000);

  it("the real server's race: the first acquire matches nothing and waits before its insert, the second takes the lease, the first gets E11000 and is refused naming it", async () => {
    // A database with no lease document yet: both upserts find nothing to match.
    const raceDb = `${dbName}_race`;
    const first = await new MongoClient(mongoUri(), { appName: 'drill-race-first', serverSelectionTimeoutMS: 10_000 }).connect();
    const second = await new MongoClient(mongoUri(), { appName: 'drill-race-second', serverSelectionTimeoutMS: 10_000 }).connect();
    const admin = first.db('admin');
    try {
      await admin.command({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: { appName: 'drill-race-first', failCommands: ['findAndModify'], holdUntilReleased: 'drill-race', splitUpsert: true },
      });
      const raceCfg = parseConfig({ MONGODB_DB: raceDb, ...TEST_PASSWORDS });
      const parkedFirst = startDrillJob(first.db(raceDb), mongoUri(), small, 'first@example.com', { config: raceCfg });
      for (let i = 0; ; i += 1) {
        const status = await admin.command({ failPointStatus: 1 });
        if ((status.parked as Array<{ label: string }>).some((p) => p.label === 'drill-race')) break;
        if (i > 500) throw new Error('the first acquire was never parked');
        await sleep(10);
      }
      const won = await startDrillJob(second.db(raceDb), mongoUri(), small, 'second@example.com', { config: raceCfg });
      expect(won.ok).toBe(true);
      await admin.command({ releaseFailPoint: 'drill-race' });
      const lost = await parkedFirst;
      expect(lost).toMatchObject({ ok: false, code: 'conflict' });
      if (won.ok) expect((lost as Refusal).error).toContain(`drill ${won.job_id}, started by second@example.com`);
      expect(
        await second
          .db(raceDb)
          .collection(DRILL_RUNS)
          .countDocuments({ _id: { $ne: DRILL_LEASE_ID } } as never),
      ).toBe(1);
      if (won.ok) {
        const deadline = Date.now() + 60_000;
        while ((await readDrillJob(second.db(raceDb), won.job_id))?.status === 'running' && Date.now() < deadline) await sleep(200);
        const job = await readDrillJob(second.db(raceDb), won.job_id);
        for (const p of Object.values(job?.progress ?? {})) scratch.add(p.database);
        expect(job?.status).toBe('done');
      }
    } finally {
      await admin.command({ configureFailPoint: 'failCommand', mode: 'off', data: { appName: 'drill-race-first' } }).catch(() => {});
      await first
        .db(raceDb)
        .dropDatabase()
        .catch(() => {});
      await Promise.all([first.close(), second.close()]);
    }
  }, 120_000);

  it('a request with 200 algorithms is refused by the action guard, naming the field; nothing starts', async () => {
    const secret = new TextEncoder().encode('drill-test-secret-drill-test-secret-0123');
    const token = await createSessionToken(SEEDED_ADMIN, { secret, maxAgeMs: 60_000 });
    const before = await db().collection(DRILL_RUNS).countDocuments();
    const result = await runGuarded(
      {
        name: 'start-drill',
        access: 'admin',
        schema: drillRequestSchema,
        handler: (input) => startDrillJob(db(), mongoUri(), input, SEEDED_ADMIN.email, { config: cfg() }),
      },
      token,
      { ...small, algorithms: Array.from({ length: 200 }, () => 'unsafe') },
      { secret: () => secret, isCurrent: async () => true, db: async () => db(), audit: async () => {} },
    );
    expect(result).toEqual({
      ok: false,
      code: 'invalid',
      error: REFUSED.invalid,
      issues: ['algorithms: at most 3 algorithms, each once (unsafe, copy-drop-restore, lease)'],
    });
    expect(await db().collection(DRILL_RUNS).countDocuments()).toBe(before);
  });

  /** A console of its own (another process) that starts one drill, prints its answer and keeps running it. */
  function consoleProcess(request: DrillRequest, leaseMs: number): Promise<{ child: ChildProcess; jobId: string }> {
    const script = `
      import { MongoClient } from 'mongodb';
      import { startDrillJob } from './lib/drill/job.ts';
      import { parseConfig } from './lib/env.ts';
      const client = await new MongoClient(process.env.MONGODB_URI).connect();
      const answer = await startDrillJob(client.db(process.env.MONGODB_DB), process.env.MONGODB_URI, ${JSON.stringify(request)},
        'killed@example.com', { config: parseConfig(), leaseMs: ${leaseMs} });
      console.log(JSON.stringify(answer));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MONGODB_URI: mongoUri(), MONGODB_DB: dbName, ...TEST_PASSWORDS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (!line) return;
        // startDrillJob's answer when it started a drill (StartDrillResult's ok branch).
        const answer = z.object({ ok: z.literal(true), job_id: drillJobSchema.shape._id }).safeParse(JSON.parse(line));
        if (answer.success) resolve({ child, jobId: answer.data.job_id });
        else reject(new Error(`the console process did not start a drill: ${line}`));
      });
      child.on('exit', (code) => reject(new Error(`the console process exited with ${code}: ${err}`)));
    });
  }

  async function runningWorkers(id: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const doc = await db()
        .collection(DRILL_RUNS)
        .findOne({ _id: id } as never);
      if (Object.values((doc?.progress ?? {}) as Record<string, { phase: string }>).some((p) => p.phase === 'running')) return;
      if (Date.now() > deadline) throw new Error(`drill ${id} never reached its workers`);
      await sleep(50);
    }
  }

  const killed = (child: ChildProcess) =>
    new Promise<number>((resolve) => {
      child.once('exit', () => resolve(Date.now()));
      child.kill('SIGKILL');
    });

  // copy-drop-restore with a 5 s window: the drill is still running when its console is killed.
  const slow: DrillRequest = { algorithms: ['copy-drop-restore'], workers: 2, late: 0, lateAfterMs: 0, windowMs: 5_000 };

  it('a drill whose console is SIGKILLed stays running for its lease, then shows interrupted, with when and which instance', async () => {
    const leaseMs = 2_000;
    const { child, jobId } = await consoleProcess(slow, leaseMs);
    await runningWorkers(jobId);
    // Renewed every third of the lease while it runs.
    while (((await readDrillLease(db()))?.renewals ?? 0) < 2) await sleep(50);
    const killedAt = await killed(child);

    // Within its lease the drill still counts as running: a start anywhere is refused, naming the dead console.
    expect((await readDrillJob(db(), jobId))?.status).toBe('running');
    const refused = await startDrillJob(db(), mongoUri(), small, 'c@example.com', { config: cfg() });
    expect(refused).toMatchObject({ ok: false, code: 'conflict' });
    expect((refused as Refusal).holder).toMatch(new RegExp(`:${child.pid}:`));

    // After the lease, whoever reads it sees it interrupted.
    let job = await readDrillJob(db(), jobId);
    const deadline = killedAt + leaseMs + 5_000;
    while (job?.status === 'running' && Date.now() < deadline) {
      await sleep(100);
      job = await readDrillJob(db(), jobId);
    }
    expect(job?.status).toBe('interrupted');
    expect(job?.interrupted?.instance).toMatch(new RegExp(`:${child.pid}:`));
    expect(job?.interrupted?.noticed_by).toBe(consoleInstance().worker_id);
    // It expired after the kill (the dead console renewed it until then) and before it was noticed.
    expect(job!.interrupted!.at.getTime()).toBeGreaterThan(killedAt);
    expect(job!.interrupted!.at.getTime()).toBeLessThanOrEqual(job!.interrupted!.noticed_at.getTime());
    expect(job?.finished_at).toEqual(job?.interrupted?.at);
    // Read again: the same record, not noticed twice.
    expect(await readDrillJob(db(), jobId)).toEqual(job);

    // And the next drill starts.
    const next = await startDrillJob(db(), mongoUri(), small, 'c@example.com', { config: cfg() });
    expect(next.ok).toBe(true);
    if (next.ok) expect((await finished(next.job_id)).status).toBe('done');
  }, 180_000);

  it('a killed drill nobody read is marked interrupted by the next drill that starts', async () => {
    const leaseMs = 1_500;
    const { child, jobId } = await consoleProcess(slow, leaseMs);
    await runningWorkers(jobId);
    await killed(child);
    // Wait on the raw records, which mark nothing.
    for (;;) {
      const lease = await readDrillLease(db());
      const now = (await new ServerClock(db()).sync()).getTime();
      if (lease?.holder?.job_id === jobId && lease.lease_expires_at!.getTime() < now) break;
      await sleep(100);
    }
    expect(
      (
        await db()
          .collection(DRILL_RUNS)
          .findOne({ _id: jobId } as never)
      )?.status,
    ).toBe('running');

    const next = await startDrillJob(db(), mongoUri(), small, 'd@example.com', { config: cfg() });
    expect(next.ok).toBe(true);
    const old = drillJobSchema.parse(
      await db()
        .collection(DRILL_RUNS)
        .findOne({ _id: jobId } as never),
    );
    expect(old).toMatchObject({ status: 'interrupted', interrupted: { noticed_by: consoleInstance().worker_id } });
    expect(old.interrupted?.instance).toMatch(new RegExp(`:${child.pid}:`));
    if (next.ok) expect((await finished(next.job_id)).status).toBe('done');
  }, 180_000);

  it('a drill that loses its lease stops at its next renewal and kills its workers', async () => {
    const leaseMs = 900;
    const started = await startDrillJob(db(), mongoUri(), slow, 'e@example.com', { config: cfg(), leaseMs });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    await runningWorkers(started.job_id);
    const stolenAt = Date.now();
    // As if this console had been paused past its lease and another drill had taken it.
    await db()
      .collection(DRILL_RUNS)
      .updateOne({ _id: DRILL_LEASE_ID } as never, { $set: { 'holder.job_id': 'drill-job-someone-else', lease_expires_at: new Date(Date.now() + 60_000) } });
    let doc;
    do {
      await sleep(50);
      doc = drillJobSchema.parse(
        await db()
          .collection(DRILL_RUNS)
          .findOne({ _id: started.job_id } as never),
      );
    } while (doc.status === 'running' && Date.now() - stolenAt < 10_000);
    expect(doc.status).toBe('failed');
    expect(doc.error).toMatch(/^the drill lost its lease: /);
    // Well before the holder's 5 s window would have ended: the workers were killed.
    expect(Date.now() - stolenAt).toBeLessThan(3_000);
    expect(doc.results).toEqual([]);
    // The other drill's lease is left alone.
    expect((await readDrillLease(db()))?.holder?.job_id).toBe('drill-job-someone-else');
    await db()
      .collection(DRILL_RUNS)
      .updateOne({ _id: DRILL_LEASE_ID } as never, { $set: { holder: null } });
  }, 60_000);

  it('a reseed while a drill runs keeps the drill, its record and its lease (drill_runs survives the wipe)', async () => {
    const started = await startDrillJob(db(), mongoUri(), slow, 'f@example.com', { config: cfg(), leaseMs: 2_000 });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    await runningWorkers(started.job_id);
    const outcome = await new Promise<string>((resolve, reject) => {
      void startRun(
        db(),
        cfg(),
        { kind: 'reseed', seenState: `drill-test-${Date.now()}`, requestedBy: 'f@example.com' },
        { onDone: (o) => resolve(o.outcome) },
      ).then((r) => (r.ok ? undefined : reject(new Error(r.error))), reject);
    });
    expect(outcome).toBe('acquired');
    expect((await readDrillLease(db()))?.holder?.job_id).toBe(started.job_id);
    expect((await readDrillJob(db(), started.job_id))?.status).toBe('running');
    expect(await startDrillJob(db(), mongoUri(), small, 'g@example.com', { config: cfg() })).toMatchObject({ ok: false, code: 'conflict' });
    expect((await finished(started.job_id)).status).toBe('done');
  }, 120_000);
});

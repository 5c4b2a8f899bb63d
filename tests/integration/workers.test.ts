import type { Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { auditDatabase } from '../../lib/audit/run-audit';
import { DASHBOARDS, INIT_HISTORY, PROJECTS } from '../../lib/db/collections';
import { startEmulator } from '../../lib/db/embedded';
import { fencingNotice } from '../../lib/db/fencing-notice';
import { runVerdict, workersReportSchema } from '../../lib/history/verdict';
import { newRunId } from '../../lib/init/prepare';
import { readState } from '../../lib/init/state';
import { launchWorkers, type LaunchedWorker, type LaunchResult } from '../../lib/workers/launch';
import type { HistoryEvent } from '../../lib/schemas/history';
import { lastJsonLine, runCli } from '../support/cli';
import { mongoUri, useTestDb } from '../support/db';
import { TEST_PASSWORDS } from '../support/seeds';
import { snapshot } from '../support/snapshot';

const { db, dbName } = useTestDb(import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SEEDED = ['dashboards', 'deltatables', 'groups', 'multiqc', 'projects', 'users'];

const env = () => ({ MONGODB_URI: mongoUri(), MONGODB_DB: dbName, ...TEST_PASSWORDS });

const history = (filter: Document) =>
  db()
    .collection<HistoryEvent>(INIT_HISTORY)
    .find(filter, { sort: { at: 1, _id: 1 } })
    .toArray();

/** Polls the history until an event matching `filter` is there. */
async function waitForEvent(filter: Document, timeoutMs = 90_000): Promise<HistoryEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await db()
      .collection<HistoryEvent>(INIT_HISTORY)
      .findOne(filter, { sort: { at: 1, _id: 1 } });
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no history event ${JSON.stringify(filter)} within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Everything except the history, which every run appends to. */
async function dataAndState(target: Db) {
  const all = await snapshot(target);
  delete all[INIT_HISTORY];
  return all;
}

async function expectDataWhole(target: Db) {
  expect(await target.collection(PROJECTS).countDocuments()).toBe(3);
  expect(await target.collection(DASHBOARDS).countDocuments()).toBe(5);
  const audit = await auditDatabase(target);
  expect(audit.summary).toMatchObject({ dashboards: 3, components: 63, error: 0 });
}

/**
 * Starts workers without waiting for them; kills any still running if the test body fails. They
 * are the drill's worker (cli/drill-worker.ts), whose default algorithm is the product's: it adds
 * the fault injection `--pause-after` these tests need.
 */
function startWorkers(count: number, args: string[], extraEnv: Record<string, string>) {
  const spawned: LaunchedWorker[] = [];
  const launch: Promise<LaunchResult> = launchWorkers({
    entry: 'drill-worker',
    count,
    args,
    env: { ...env(), ...extraEnv },
    onSpawn: (w) => spawned.push(w),
  });
  const byPid = (pid: number) => {
    const worker = spawned.find((w) => w.child.pid === pid);
    if (!worker) throw new Error(`no launched worker has pid ${pid}`);
    return worker;
  };
  const cleanup = () => {
    for (const w of spawned) {
      if (w.exitCode === null && w.signal === null && w.child.pid) {
        try {
          process.kill(w.child.pid, 'SIGCONT');
          process.kill(w.child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  };
  return { launch, spawned, byPid, cleanup };
}

describe('N worker processes against one database', () => {
  let g1Data: Record<string, Document[]> | undefined;

  it('16 workers with --wipe: one acquires, one wipe, the others wait, everything seeded', async () => {
    const result = await runCli('workers', ['-n', '16', '--wipe', '--generation', 'g1', '--json'], env());
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const v = workersReportSchema.parse(lastJsonLine(result.stdout));
    expect(v).toMatchObject({
      workers: 16,
      acquired: 1,
      failed: 0,
      lost: 0,
      wipes: 1,
      projects: 3,
      dashboards: 5,
      invalid_components: 0,
      pass: true,
    });
    // Every other worker waited for the holder, or (starved of CPU on a small machine) first
    // looked once the generation was complete and skipped: both are right, neither initialized.
    expect(v.waited + v.skipped).toBe(15);

    // Counted again from the history and the database, not from the command's report.
    const events = await history({ run_id: v.run_id });
    expect(new Set(events.map((e) => e.worker_id)).size).toBe(16);
    expect(new Set(events.map((e) => e.pid)).size).toBe(16);
    const acquired = events.filter((e) => e.event === 'acquired');
    expect(acquired).toHaveLength(1);
    expect(acquired[0]!.worker_id).toBe(v.holders[0]);
    expect(events.filter((e) => e.event === 'wiped')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'wiped')[0]!.worker_id).toBe(v.holders[0]);
    expect(events.filter((e) => e.event === 'ready')).toHaveLength(15);
    expect(events.filter((e) => e.event === 'completed')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'takeover')).toHaveLength(0);
    const state = await readState(db());
    expect(state).toMatchObject({ status: 'complete', generation: 'g1', run_id: v.run_id, worker_id: v.holders[0], fence: acquired[0]!.fence });
    await expectDataWhole(db());
    g1Data = await dataAndState(db());
  }, 180_000);

  it('the same generation again: all 16 skip, nothing acquired, nothing wiped, nothing written', async () => {
    expect(g1Data, 'needs the first run').toBeDefined();
    const result = await runCli('workers', ['-n', '16', '--wipe', '--generation', 'g1', '--json'], env());
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const v = workersReportSchema.parse(lastJsonLine(result.stdout));
    expect(v).toMatchObject({ workers: 16, acquired: 0, wipes: 0, skipped: 16, waited: 0, failed: 0, projects: 3, dashboards: 5 });
    const events = await history({ run_id: v.run_id });
    expect(events.filter((e) => e.event === 'skipped-complete')).toHaveLength(16);
    expect(events.filter((e) => ['acquired', 'wipe-started', 'wiped', 'seeded-project'].includes(e.event))).toEqual([]);
    // The data, seeded_fence and seeded_run_id included, and the lock and the state: all as they were.
    expect(await dataAndState(db())).toEqual(g1Data);
  }, 180_000);

  it('a new generation: exactly one new wipe and one new holder', async () => {
    const before = await readState(db());
    const result = await runCli('workers', ['-n', '16', '--wipe', '--generation', 'g2', '--json'], env());
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const v = workersReportSchema.parse(lastJsonLine(result.stdout));
    expect(v).toMatchObject({ workers: 16, acquired: 1, wipes: 1, failed: 0, projects: 3, dashboards: 5, invalid_components: 0 });
    expect(v.waited + v.skipped).toBe(15);
    const events = await history({ run_id: v.run_id });
    expect(events.filter((e) => e.event === 'wiped')).toHaveLength(1);
    const fence = events.find((e) => e.event === 'acquired')!.fence!;
    expect(fence).toBe(before!.fence + 1);
    const state = await readState(db());
    expect(state).toMatchObject({ status: 'complete', generation: 'g2', fence });
    // The whole data set was rewritten by the new holder.
    const data = await snapshot(db());
    for (const name of SEEDED) {
      expect(data[name]!.length, name).toBeGreaterThan(0);
      for (const doc of data[name]!) expect(doc, `${name} ${String(doc._id)}`).toMatchObject({ seeded_fence: fence, seeded_run_id: v.run_id });
    }
  }, 180_000);

  it('a holder killed (SIGKILL) in the middle of seeding is taken over after its lease, and the run completes', async () => {
    const runId = newRunId('kill');
    const args = ['--wipe', '--generation', 'gk', '--run-id', runId, '--quiet', '--pause-after', 'seeded-project', '--pause-ms', '3000'];
    const workers = startWorkers(4, args, { INIT_LEASE_MS: '1500' });
    let victim: LaunchedWorker;
    let seeded: HistoryEvent;
    try {
      seeded = await waitForEvent({ run_id: runId, event: 'seeded-project' });
      victim = workers.byPid(seeded.pid);
      victim.child.kill('SIGKILL');
    } catch (error) {
      workers.cleanup();
      throw error;
    }
    const launch = await workers.launch;
    expect(launch.workers).toHaveLength(4);
    expect(victim.signal).toBe('SIGKILL');
    for (const w of launch.workers.filter((w) => w !== victim)) expect(w.exitCode, w.stderr).toBe(0);

    const events = await history({ run_id: runId });
    const killed = seeded.worker_id;
    // The killed worker's last word was the seeded project: nothing after it.
    expect(events.filter((e) => e.worker_id === killed).at(-1)?.event).toBe('seeded-project');
    const takeovers = events.filter((e) => e.event === 'takeover');
    expect(takeovers).toHaveLength(1);
    const successor = takeovers[0]!.worker_id;
    expect(successor).not.toBe(killed);
    expect(takeovers[0]!.detail).toMatchObject({ from: killed, from_run: runId });
    expect(takeovers[0]!.fence).toBe(seeded.fence! + 1);
    const acquired = events.filter((e) => e.event === 'acquired');
    expect(acquired.map((e) => e.worker_id)).toEqual([killed, successor]);
    const completed = events.filter((e) => e.event === 'completed');
    expect(completed.map((e) => e.worker_id)).toEqual([successor]);
    expect(events.filter((e) => e.event === 'ready')).toHaveLength(2);

    expect(await readState(db())).toMatchObject({ status: 'complete', generation: 'gk', worker_id: successor, fence: seeded.fence! + 1 });
    await expectDataWhole(db());
    const verdict = await runVerdict(db(), runId, { projects: 3 });
    expect(verdict).toMatchObject({ workers: 4, acquired: 2, takeovers: 1, lost: 1, completions: 1, failed: 0, pass: true });
    expect(verdict.findings).toContain('1 holder died and was taken over');
  }, 180_000);

  // Stopped right after acquiring (before it wrote anything), and stopped in the middle of seeding
  // (with writes still to make): either way, once resumed, it must notice the lost lease and write nothing.
  it.each(['acquired', 'seeded-project'])(
    'a holder paused (SIGSTOP) past its lease after "%s" is fenced out when it resumes',
    async (pauseAfter) => {
      const runId = newRunId('stop');
      const generation = `gs-${pauseAfter}`;
      // The pause only holds the holder still until the test has stopped it.
      const args = ['--wipe', '--generation', generation, '--run-id', runId, '--quiet', '--pause-after', pauseAfter, '--pause-ms', '2000'];
      const workers = startWorkers(2, args, { INIT_LEASE_MS: '1000' });
      let stopped: LaunchedWorker;
      let first: HistoryEvent;
      let successor: string;
      try {
        first = await waitForEvent({ run_id: runId, event: pauseAfter });
        stopped = workers.byPid(first.pid);
        stopped.child.kill('SIGSTOP');
        // The other worker takes over once the lease runs out, and finishes the generation.
        const done = await waitForEvent({ run_id: runId, event: 'completed' });
        successor = done.worker_id;
        expect(successor).not.toBe(first.worker_id);
        stopped.child.kill('SIGCONT');
      } catch (error) {
        workers.cleanup();
        throw error;
      }
      const launch = await workers.launch;
      expect(stopped.exitCode, stopped.stdout + stopped.stderr).not.toBe(0);
      expect(stopped.exitCode).not.toBeNull();
      const other = launch.workers.find((w) => w !== stopped)!;
      expect(other.exitCode, other.stderr).toBe(0);

      const events = await history({ run_id: runId });
      const takeover = events.find((e) => e.event === 'takeover');
      expect(takeover).toMatchObject({ worker_id: successor, detail: { from: first.worker_id } });
      const successorFence = takeover!.fence!;
      expect(successorFence).toBe(first.fence! + 1);
      const lost = events.filter((e) => e.event === 'lease-lost');
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({ worker_id: first.worker_id, fence: first.fence });
      // The old holder's last word is the loss: it did not go on to claim completion.
      expect(events.filter((e) => e.worker_id === first.worker_id).at(-1)?.event).toBe('lease-lost');
      expect(events.filter((e) => e.event === 'completed').map((e) => e.worker_id)).toEqual([successor]);

      await expectDataWhole(db());
      expect((await auditDatabase(db())).summary.warning).toBe(0);
      expect(await readState(db())).toMatchObject({ status: 'complete', generation, worker_id: successor, fence: successorFence });
      const data = await snapshot(db());
      for (const name of SEEDED) {
        expect(data[name]!.length, name).toBeGreaterThan(0);
        for (const doc of data[name]!) expect(doc, `${name} ${String(doc._id)}`).toMatchObject({ seeded_fence: successorFence, seeded_run_id: runId });
      }
    },
    180_000,
  );

  it('a worker says at start, once, that fencing is best-effort on a standalone, and nothing of the kind on a replica set', async () => {
    const notice = fencingNotice('standalone');
    const standalone = await runCli('worker', ['--generation', 'g-notice', '--quiet'], env());
    expect(standalone.code, standalone.stdout + standalone.stderr).toBe(0);
    expect(standalone.stderr.split('\n').filter((line) => line.endsWith(`: ${notice}`))).toHaveLength(1);

    const server = await startEmulator({ replSet: 'rs-workers' });
    try {
      const replicaSet = await runCli('worker', ['--generation', 'g-notice', '--quiet'], { ...env(), MONGODB_URI: server.uri });
      expect(replicaSet.code, replicaSet.stdout + replicaSet.stderr).toBe(0);
      expect(replicaSet.stdout + replicaSet.stderr).not.toContain('best-effort');
    } finally {
      await server.stop();
    }
  }, 120_000);
});

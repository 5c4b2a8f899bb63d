import { spawn, type ChildProcess } from 'node:child_process';
import type { MongoClient } from 'mongodb';
import { runWorker, type WorkerOptions } from '../init/run-worker';
import { workerIdentity } from '../lock/identity';
import type { HistoryEvent } from '../schemas/history';
import { PROJECT_ROOT, workerNodeArgs } from '../workers/worker-command';
import { assertScratchDatabase } from './scratch';
import type { DrillAlgorithm } from './types';
import { runLegacyWorker } from './worker';

/**
 * Repeated drills without paying process start-up every time: the same worker processes (real OS
 * processes, each with its own connection) run one round after another, each round on a fresh
 * scratch database, released together by the same barrier as `launchWorkers` (late starters after
 * the delay). A worker starts each round with a new identity, clock and history, as a fresh process
 * would; only its connection and its validated seeds are kept.
 */

export interface PoolRound {
  database: string;
  historyDatabase: string;
  generation: string;
  runId: string;
  windowMs: number;
}

type ToWorker = { type: 'go'; round: PoolRound } | { type: 'exit' };
type FromWorker = { type: 'ready' } | { type: 'done'; outcome: string; reason?: string };

/** The worker's side: called by `cli/worker.ts --pool` once connected and with its seeds loaded. */
export async function servePoolRounds(
  client: MongoClient,
  algorithm: DrillAlgorithm,
  base: WorkerOptions,
  onEvent: (event: HistoryEvent) => void | Promise<void>,
): Promise<void> {
  if (!process.send) throw new Error('--pool runs only under the drill, which talks to it over IPC');
  const send = (message: FromWorker) => process.send!(message);
  const rounds: PoolRound[] = [];
  let wake: (() => void) | null = null;
  let exiting = false;
  process.on('message', (message: ToWorker) => {
    if (message?.type === 'go') rounds.push(message.round);
    if (message?.type === 'exit') exiting = true;
    wake?.();
  });
  send({ type: 'ready' });
  for (;;) {
    while (rounds.length === 0 && !exiting) await new Promise<void>((resolve) => (wake = resolve));
    if (exiting) return;
    const round = rounds.shift()!;
    const options: WorkerOptions = { ...base, identity: workerIdentity(), generation: round.generation, runId: round.runId, onEvent };
    try {
      assertScratchDatabase(round.database);
      const outcome =
        algorithm === 'lease'
          ? await runWorker(client.db(round.database), options)
          : await runLegacyWorker(client, { algorithm, database: round.database, historyDatabase: round.historyDatabase, windowMs: round.windowMs, options });
      send({ type: 'done', outcome: outcome.outcome, ...(outcome.outcome === 'failed' ? { reason: outcome.reason } : {}) });
    } catch (error) {
      send({ type: 'done', outcome: 'failed', reason: (error as Error).message });
    }
  }
}

export interface PoolMember {
  index: number;
  late: boolean;
  child: ChildProcess;
  pid: number;
  stderr: string;
}

const READY_TIMEOUT_MS = 120_000;

/** The drill's side: N + K worker processes that run rounds on command. */
export class WorkerPool {
  private constructor(
    readonly members: PoolMember[],
    readonly startupMs: number,
    private readonly pending: Map<number, (message: FromWorker | null) => void>,
  ) {}

  static async start(options: { count: number; late: number; args: string[]; env: NodeJS.ProcessEnv }): Promise<WorkerPool> {
    const nodeArgs = await workerNodeArgs();
    const started = Date.now();
    const pending = new Map<number, (message: FromWorker | null) => void>();
    const members: PoolMember[] = [];
    for (let index = 0; index < options.count + options.late; index += 1) {
      const child = spawn(process.execPath, [...nodeArgs, '--pool', ...options.args], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        cwd: PROJECT_ROOT,
        env: options.env,
      });
      const member: PoolMember = { index, late: index >= options.count, child, pid: child.pid ?? -1, stderr: '' };
      child.stderr!.on('data', (chunk: Buffer) => (member.stderr += chunk.toString()));
      child.on('message', (message: FromWorker) => {
        const resolve = pending.get(index);
        pending.delete(index);
        resolve?.(message);
      });
      child.on('exit', () => {
        const resolve = pending.get(index);
        pending.delete(index);
        resolve?.(null);
      });
      members.push(member);
    }
    const pool = new WorkerPool(members, 0, pending);
    const ready = await Promise.all(members.map((m) => pool.next(m, READY_TIMEOUT_MS)));
    const failed = members.filter((_, i) => ready[i]?.type !== 'ready');
    if (failed.length > 0) {
      await pool.close();
      throw new Error(`${failed.length} pool workers did not start: ${failed[0]!.stderr.trim() || 'no message'}`);
    }
    return new WorkerPool(members, Date.now() - started, pending);
  }

  private next(member: PoolMember, timeoutMs: number): Promise<FromWorker | null> {
    return new Promise((resolve) => {
      if (member.child.exitCode !== null || member.child.signalCode !== null) return resolve(null);
      const timer = setTimeout(() => {
        this.pending.delete(member.index);
        resolve(null);
      }, timeoutMs);
      this.pending.set(member.index, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  /** Releases the on-time workers at once and the late ones after `lateAfterMs`; waits for every one. */
  async round(round: PoolRound, lateAfterMs: number, timeoutMs: number): Promise<Array<{ member: PoolMember; outcome: string; reason?: string }>> {
    const done = this.members.map((m) => this.next(m, timeoutMs));
    const go = (m: PoolMember) => m.child.connected && m.child.send({ type: 'go', round } satisfies ToWorker);
    this.members.filter((m) => !m.late).forEach(go);
    const timer = setTimeout(() => this.members.filter((m) => m.late).forEach(go), lateAfterMs);
    const replies = await Promise.all(done);
    clearTimeout(timer);
    return this.members.map((member, i) => {
      const reply = replies[i];
      return reply?.type === 'done'
        ? { member, outcome: reply.outcome, ...(reply.reason ? { reason: reply.reason } : {}) }
        : { member, outcome: 'no-answer', reason: member.stderr.trim().split('\n').at(-1) ?? 'no answer' };
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.members.map(
        (m) =>
          new Promise<void>((resolve) => {
            if (m.child.exitCode !== null || m.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => m.child.kill('SIGKILL'), 5_000);
            m.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (m.child.connected) m.child.send({ type: 'exit' } satisfies ToWorker);
            else m.child.kill('SIGTERM');
          }),
      ),
    );
  }
}

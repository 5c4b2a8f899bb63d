import { spawn, type ChildProcess } from 'node:child_process';
import { childEnvironment, projectRoot } from '../env';
import type { FromWorker, ToWorker } from './barrier';
import { workerNodeArgs, type WorkerEntry } from './worker-node-args';

/**
 * Starts N worker processes (real OS processes, each running `cli/worker.ts`, or the drill's
 * `cli/drill-worker.ts`), lets each connect and load its seeds, then releases them all at the same
 * moment (barrier.ts), so that process start-up is measured apart from the initialization race.
 * Late starters are released after a delay.
 */

const READY_TIMEOUT_MS = 120_000;
const START_AHEAD_MS = 50;

export interface LaunchOptions {
  count: number;
  /** Arguments for every worker, e.g. ['--wipe', '--generation', 'g1', '--run-id', 'r1']. */
  args: string[];
  /** On top of this process's environment; `undefined` removes a variable. */
  env: Record<string, string | undefined>;
  /** The product's worker unless told otherwise. */
  entry?: WorkerEntry;
  /** Workers released `lateAfterMs` after the others. */
  late?: number;
  lateAfterMs?: number;
  onSpawn?: (worker: LaunchedWorker) => void;
}

export interface LaunchedWorker {
  index: number;
  late: boolean;
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchResult {
  workers: LaunchedWorker[];
  /** From the first spawn until every worker had connected and loaded its seeds. */
  startup_ms: number;
  /** When the common start signal was sent (epoch ms). */
  released_at: number;
}

export async function launchWorkers(options: LaunchOptions): Promise<LaunchResult> {
  const nodeArgs = await workerNodeArgs(options.entry ?? 'worker');
  const env = childEnvironment(options.env);
  const late = options.late ?? 0;
  const total = options.count + late;
  const spawnedAt = Date.now();
  const workers: LaunchedWorker[] = [];
  const ready: Array<Promise<boolean>> = [];
  const exited: Array<Promise<void>> = [];

  for (let index = 0; index < total; index += 1) {
    const child = spawn(process.execPath, [...nodeArgs, ...options.args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], cwd: projectRoot(), env });
    const worker: LaunchedWorker = { index, late: index >= options.count, child, stdout: '', stderr: '', exitCode: null, signal: null };
    child.stdout!.on('data', (chunk: Buffer) => (worker.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (worker.stderr += chunk.toString()));
    // A worker killed between our check and our message (a drill that lost its lease kills them
    // all) makes the IPC write fail with EPIPE; its exit is what we report, not the failed send.
    child.on('error', (error) => (worker.stderr += `[launcher] ${error.message}\n`));
    exited.push(
      new Promise((resolve) =>
        child.on('exit', (code, signal) => {
          worker.exitCode = code;
          worker.signal = signal;
          resolve();
        }),
      ),
    );
    // Ready when the worker says so; false when it exits first (bad configuration or seeds).
    ready.push(
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
        child.on('message', (message: FromWorker) => {
          if (message?.type === 'ready') {
            clearTimeout(timer);
            resolve(true);
          }
        });
        child.on('exit', () => {
          clearTimeout(timer);
          resolve(false);
        });
      }),
    );
    workers.push(worker);
    options.onSpawn?.(worker);
  }

  const readiness = await Promise.all(ready);
  const startup_ms = Date.now() - spawnedAt;
  // The start signal names a moment a little ahead, so that all workers start together however
  // long the messages take to reach them.
  const startAt = Date.now() + START_AHEAD_MS;
  const go = (w: LaunchedWorker) => {
    if (!readiness[w.index] || !w.child.connected) return;
    w.child.send({ type: 'go', at: w.late ? startAt + (options.lateAfterMs ?? 0) : startAt } satisfies ToWorker, (error) => {
      if (error) w.stderr += `[launcher] could not start worker ${w.index}: ${error.message}\n`;
    });
  };
  // A worker that never became ready would never be released: stop it rather than wait forever.
  workers.filter((w) => !readiness[w.index] && w.exitCode === null).forEach((w) => w.child.kill('SIGKILL'));
  const released_at = startAt;
  workers.forEach(go);
  await Promise.all(exited);
  return { workers, startup_ms, released_at };
}

import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../support/cli';
import { freePort, waitForHttp, type ConsoleServer } from './console-server';

export interface ConsoleInstance extends ConsoleServer {
  /** The `next start` process: drill leases and reseed runs name their console by host:pid. */
  pid: number;
  /** Ends the process at once with `signal` (SIGKILL: a console that dies mid-work). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Another `next start` of the same `.next` build on the same database as `first`, with its
 * environment (session secret, server actions key, passwords) plus `env`: a second instance behind
 * the same load balancer. It never builds (the first one did), so it serves exactly the same build.
 */
export async function startSecondInstance(first: ConsoleServer, env: Record<string, string> = {}): Promise<ConsoleInstance> {
  const port = await freePort();
  const fullEnv = { ...first.env, ...env };
  let output = '';
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/next/dist/bin/next'), 'start', '--port', String(port)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...fullEnv, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/api/health`, child, () => output);
  const kill = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  const notOurs = async () => {
    throw new Error('the database is the first instance’s: stop or start it there');
  };
  return {
    url,
    pid: child.pid!,
    dbUri: first.dbUri,
    dbName: first.dbName,
    env: fullEnv,
    canStopDatabase: false,
    stopDatabase: notOurs,
    startDatabase: notOurs,
    stop: () => kill('SIGTERM'),
    kill,
    log: () => output,
  };
}

import { freePort, serveBuild, type ConsoleServer } from './console-server';

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
  const { child, url, output } = await serveBuild(port, fullEnv);
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
    log: output,
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { startEmbeddedDb, type EmbeddedDb } from '../../../lib/db/embedded';
import { PROJECT_ROOT } from '../../support/cli';
import { TEST_PASSWORDS } from '../../support/seeds';
import { ensureProductionBuild } from './build';

export const ADMIN = { email: 'admin@example.com', password: TEST_PASSWORDS.ADMIN_PASSWORD };
export const VIEWER = { email: 'test_user@example.com', password: TEST_PASSWORDS.TEST_USER_PASSWORD };

export interface ConsoleServer {
  url: string;
  /** The console's own database server: its own, so a test can stop and start it. */
  dbUri: string;
  dbName: string;
  env: Record<string, string>;
  /** False with an external MONGODB_URI: that server is not the tests' to stop. */
  canStopDatabase: boolean;
  stopDatabase(): Promise<void>;
  /** Starts the database again on the same port (empty: the emulator keeps data in memory). */
  startDatabase(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the console exited with ${child.exitCode}:\n${output()}`);
    try {
      await fetch(url, { redirect: 'manual' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`the console did not answer at ${url}:\n${output()}`);
}

/** `next start` of the existing production build on `port` with `env`, once it answers. */
export async function serveBuild(port: number, env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/next/dist/bin/next'), 'start', '--port', String(port)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/api/health`, child, () => output);
  return { child, url, output: () => output };
}

/**
 * The production build served by `next start` against an embedded database of its own, with the
 * seeded users' passwords and a session secret set. `env` adds or overrides variables.
 */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleServer> {
  ensureProductionBuild();
  // With MONGODB_URI set, nothing embedded is started: the console uses that server (a database
  // of its own on it), and a test cannot stop it.
  const external = process.env.MONGODB_URI;
  let db: EmbeddedDb = external ? { uri: external, kind: 'mongod', stop: async () => {} } : await startEmbeddedDb({ port: 0 });
  const dbPort = Number(new URL(db.uri).port);
  const port = await freePort();
  const dbName = `console_${randomBytes(3).toString('hex')}`;
  const fullEnv: Record<string, string> = {
    MONGODB_URI: db.uri,
    MONGODB_DB: dbName,
    MONGODB_TIMEOUT_MS: '1500',
    INIT_ON_BOOT: 'false',
    CONSOLE_POLL_MS: '500',
    ADMIN_PASSWORD: ADMIN.password,
    TEST_USER_PASSWORD: VIEWER.password,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    NEXT_TELEMETRY_DISABLED: '1',
    ...env,
  };
  const { child, url, output } = await serveBuild(port, fullEnv);
  return {
    url,
    dbUri: db.uri,
    dbName,
    env: fullEnv,
    canStopDatabase: !external,
    stopDatabase: () => db.stop(),
    startDatabase: async () => {
      db = await startEmbeddedDb({ port: dbPort });
    },
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      await db.stop();
    },
    log: output,
  };
}

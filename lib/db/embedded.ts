import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The database for development and tests when no MONGODB_URI is given: a real `mongod` through
 * mongodb-memory-server where a binary is at hand, otherwise the project's MongoDB-wire emulator
 * (Debian's python3-mockupdb + python3-mongomock). EMBEDDED_DB=mongod|emulator chooses explicitly.
 */

export interface EmbeddedDb {
  uri: string;
  kind: 'mongod' | 'emulator';
  stop(): Promise<void>;
}

export const EMULATOR_SCRIPT = fileURLToPath(new URL('../../emulator/mongo_wire_emulator.py', import.meta.url));
// Debian's packages are seen by Debian's python only (a pyenv python3 earlier on PATH does not).
const SYSTEM_PYTHON = '/usr/bin/python3';
const START_TIMEOUT_MS = 15_000;

export async function startEmbeddedDb(options: { port?: number } = {}): Promise<EmbeddedDb> {
  const choice = process.env.EMBEDDED_DB ?? 'auto';
  if (!['auto', 'mongod', 'emulator'].includes(choice)) {
    throw new Error(`EMBEDDED_DB must be auto, mongod or emulator (got "${choice}")`);
  }
  if (choice === 'mongod' || (choice === 'auto' && (await localMongodBinary()))) {
    return startMongod(options.port, choice === 'mongod');
  }
  return startEmulator(options.port ?? 0);
}

/** A mongod already on this machine (never a download: that is only tried when asked for). */
async function localMongodBinary(): Promise<string | undefined> {
  if (process.env.MONGOMS_SYSTEM_BINARY) return process.env.MONGOMS_SYSTEM_BINARY;
  try {
    const { stdout } = await promisify(execFile)('sh', ['-c', 'command -v mongod']);
    if (stdout.trim()) return stdout.trim();
  } catch {
    // not on PATH
  }
  try {
    const { DryMongoBinary } = await import('mongodb-memory-server-core');
    return await DryMongoBinary.locateBinary(await DryMongoBinary.generateOptions());
  } catch {
    return undefined;
  }
}

async function startMongod(port: number | undefined, allowDownload: boolean): Promise<EmbeddedDb> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const systemBinary = await localMongodBinary();
  if (!systemBinary && !allowDownload) throw new Error('no mongod binary found');
  const server = await MongoMemoryServer.create({
    instance: { port, ip: '127.0.0.1' },
    binary: systemBinary ? { systemBinary } : {},
  });
  return {
    uri: server.getUri().replace(/\/$/, ''),
    kind: 'mongod',
    stop: async () => {
      await server.stop();
    },
  };
}

async function startEmulator(port: number): Promise<EmbeddedDb> {
  try {
    await access(SYSTEM_PYTHON);
  } catch {
    throw new Error(`the MongoDB-wire emulator needs ${SYSTEM_PYTHON} (Debian's python3)`);
  }
  const child = spawn(SYSTEM_PYTHON, [EMULATOR_SCRIPT, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    let stdout = '';
    const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    function fail(reason: string) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      const missing = /No module named '(mockupdb|mongomock)'/.exec(stderr);
      reject(
        new Error(
          missing
            ? `the MongoDB-wire emulator needs Debian's python3-mockupdb and python3-mongomock: apt-get install -y python3-mockupdb python3-mongomock`
            : `the MongoDB-wire emulator did not start: ${reason}${stderr ? `\n${stderr.trim()}` : ''}`,
        ),
      );
    }
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /MONGODB_URI=(\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code) => fail(`exited with code ${code}`));
  });
  child.removeAllListeners('exit');
  child.stdout.resume();
  child.stderr.resume();
  return { uri, kind: 'emulator', stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

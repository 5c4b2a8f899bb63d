import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from '../env';

/**
 * The database for development and tests when no MONGODB_URI is given: a real `mongod` through
 * mongodb-memory-server where a binary is at hand, otherwise the project's MongoDB-wire emulator
 * (Debian's python3-mockupdb + python3-mongomock). EMBEDDED_DB=mongod|emulator chooses explicitly.
 * `replSet` starts a one-member replica set instead of a standalone.
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

export interface EmbeddedDbOptions {
  port?: number;
  /** A one-member replica set of this name (transactions, retryable writes); the uri carries `?replicaSet=`. */
  replSet?: string;
}

export async function startEmbeddedDb(options: EmbeddedDbOptions = {}): Promise<EmbeddedDb> {
  const choice = parseConfig().EMBEDDED_DB;
  if (choice === 'mongod' || (choice === 'auto' && (await localMongodBinary()))) {
    return startMongod(options, choice === 'mongod');
  }
  return startEmulator(options);
}

/** A mongod already on this machine (never a download: that is only tried when asked for). */
async function localMongodBinary(): Promise<string | undefined> {
  const configured = parseConfig().MONGOMS_SYSTEM_BINARY;
  if (configured) return configured;
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

async function startMongod(options: EmbeddedDbOptions, allowDownload: boolean): Promise<EmbeddedDb> {
  const { MongoMemoryServer, MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  const systemBinary = await localMongodBinary();
  if (!systemBinary && !allowDownload) throw new Error('no mongod binary found');
  const binary = systemBinary ? { systemBinary } : {};
  if (options.replSet) {
    const set = await MongoMemoryReplSet.create({
      replSet: { name: options.replSet, count: 1, ip: '127.0.0.1' },
      instanceOpts: [{ port: options.port }],
      binary,
    });
    return { uri: set.getUri(), kind: 'mongod', stop: async () => void (await set.stop()) };
  }
  const server = await MongoMemoryServer.create({ instance: { port: options.port, ip: '127.0.0.1' }, binary });
  return {
    uri: server.getUri().replace(/\/$/, ''),
    kind: 'mongod',
    stop: async () => {
      await server.stop();
    },
  };
}

export interface EmulatorOptions extends EmbeddedDbOptions {
  /** Open transactions abort this long after they start (the emulator's default: 60). */
  transactionLifetimeSeconds?: number;
  /** The maxWireVersion it reports: 17 (MongoDB 6.0) by default; 25 (8.0) adds the `bulkWrite` command. */
  wireVersion?: number;
}

/** Always the emulator, whatever EMBEDDED_DB says: for tests that use its fault points. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmbeddedDb> {
  try {
    await access(SYSTEM_PYTHON);
  } catch {
    throw new Error(`the MongoDB-wire emulator needs ${SYSTEM_PYTHON} (Debian's python3)`);
  }
  const args = [EMULATOR_SCRIPT, '--port', String(options.port ?? 0)];
  if (options.replSet) args.push('--replset', options.replSet);
  if (options.wireVersion !== undefined) args.push('--wire-version', String(options.wireVersion));
  if (options.transactionLifetimeSeconds !== undefined) {
    args.push('--transaction-lifetime-seconds', String(options.transactionLifetimeSeconds));
  }
  const child = spawn(SYSTEM_PYTHON, args, {
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

import { MongoClient, MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError, type Db } from 'mongodb';
import { config, requireMongoUri } from '../env';
import { redactUri } from './redact-uri';

/** Raised when the database cannot be reached; its message names the URI without the password. */
export class DatabaseUnreachableError extends Error {
  constructor(uri: string, timeoutMs: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot reach MongoDB at ${redactUri(uri)} within ${timeoutMs} ms: ${reason}`);
    this.name = 'DatabaseUnreachableError';
  }
}

/**
 * The database cannot be reached right now: never connected, or connected once and now down,
 * refusing or timing out (the driver's errors carry host and port only, never the password).
 */
export function isUnreachableError(error: unknown): error is Error {
  return (
    error instanceof DatabaseUnreachableError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoTopologyClosedError
  );
}

export interface ConnectOptions {
  uri: string;
  timeoutMs: number;
  appName?: string;
}

/** Opens a client and proves the server answers, so callers fail early with a clear reason. */
export async function connect({ uri, timeoutMs, appName }: ConnectOptions): Promise<MongoClient> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    appName: appName ?? 'depictio-init-console',
  });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return client;
  } catch (error) {
    await client.close().catch(() => {});
    throw new DatabaseUnreachableError(uri, timeoutMs, error);
  }
}

// One client per process. On globalThis so that Next.js dev reloads reuse it instead of leaking.
const holder = globalThis as typeof globalThis & { __depictioMongo?: Promise<MongoClient> };

export function sharedClient(): Promise<MongoClient> {
  if (!holder.__depictioMongo) {
    const cfg = config();
    const pending = connect({ uri: requireMongoUri(cfg), timeoutMs: cfg.MONGODB_TIMEOUT_MS });
    // A failed connection is not cached: the next request tries again (the console recovers).
    pending.catch(() => {
      if (holder.__depictioMongo === pending) holder.__depictioMongo = undefined;
    });
    holder.__depictioMongo = pending;
  }
  return holder.__depictioMongo;
}

export async function sharedDb(): Promise<Db> {
  return (await sharedClient()).db(config().MONGODB_DB);
}

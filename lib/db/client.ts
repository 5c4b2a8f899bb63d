import { MongoClient, MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError, type Db, type MongoClientOptions } from 'mongodb';
import { config, requireMongoUri } from '../env';
import { MAJORITY_WRITE } from './concerns';
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
    // Busy, not down: every connection is taken for longer than the timeout. Unavailable all the same.
    (error instanceof Error && error.name === 'MongoWaitQueueTimeoutError') ||
    error instanceof MongoTopologyClosedError
  );
}

export interface ConnectOptions {
  uri: string;
  timeoutMs: number;
  appName?: string;
  /** How often the driver's monitor checks the server: a long-lived server notices recovery sooner. */
  heartbeatMs?: number;
}

/**
 * The guarantees the product relies on, whatever the URI says (options given here win over the
 * URI's): reads from the primary, majority-committed reads, majority-acknowledged journaled
 * writes, and client-side timeouts so that no call waits forever on a silent server.
 */
export function clientOptions(timeoutMs: number, appName: string): MongoClientOptions {
  return {
    appName,
    readPreference: 'primary',
    readConcernLevel: 'majority',
    w: MAJORITY_WRITE.w,
    journal: MAJORITY_WRITE.journal,
    wtimeoutMS: MAJORITY_WRITE.wtimeoutMS,
    retryWrites: true,
    retryReads: true,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    // A reply later than this fails the operation on the client; every wait loop retries within its own deadline.
    socketTimeoutMS: Math.max(timeoutMs, MAJORITY_WRITE.wtimeoutMS ?? 0) + 5_000,
    waitQueueTimeoutMS: timeoutMs,
  };
}

/** Opens a client and proves the server answers, so callers fail early with a clear reason. */
export async function connect({ uri, timeoutMs, appName, heartbeatMs }: ConnectOptions): Promise<MongoClient> {
  const client = new MongoClient(uri, {
    ...clientOptions(timeoutMs, appName ?? 'depictio-init-console'),
    ...(heartbeatMs ? { heartbeatFrequencyMS: heartbeatMs } : {}),
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

/**
 * The driver's own signals about the server, as a flag the console's reads check first. A
 * connection that cannot be opened, or a topology with no usable server, sets it: requests then
 * answer at once ("unavailable") instead of each waiting out the server selection timeout. The
 * driver's monitor keeps checking the server in the background; its first successful check, or a
 * connection that opens, clears the flag.
 */
class Reachability {
  down = false;
  since: Date | null = null;

  watch(client: MongoClient): void {
    client.on('connectionCheckOutFailed', (event) => event.reason === 'connectionError' && this.mark(false));
    client.on('topologyDescriptionChanged', (event) => this.mark(event.newDescription.hasDataBearingServers));
    client.on('serverHeartbeatSucceeded', () => this.mark(true));
    client.on('connectionReady', () => this.mark(true));
  }

  private mark(usable: boolean): void {
    if (!usable && !this.down) this.since = new Date();
    this.down = !usable;
    if (usable) this.since = null;
  }
}

// One client per process. On globalThis so that Next.js dev reloads reuse it instead of leaking.
const holder = globalThis as typeof globalThis & { __depictioMongo?: Promise<MongoClient>; __depictioReach?: Reachability };

export function sharedClient(): Promise<MongoClient> {
  if (!holder.__depictioMongo) {
    const cfg = config();
    const uri = requireMongoUri(cfg);
    const reach = (holder.__depictioReach ??= new Reachability());
    const pending = connect({ uri, timeoutMs: cfg.MONGODB_TIMEOUT_MS, heartbeatMs: 2_000, appName: cfg.MONGODB_APP_NAME }).then((client) => {
      reach.watch(client);
      return client;
    });
    // A failed connection is not cached: the next request tries again (the console recovers).
    pending.catch(() => {
      if (holder.__depictioMongo === pending) holder.__depictioMongo = undefined;
    });
    holder.__depictioMongo = pending;
  }
  return holder.__depictioMongo;
}

export async function sharedDb(): Promise<Db> {
  const client = await sharedClient();
  const reach = holder.__depictioReach;
  if (reach?.down) {
    const cfg = config();
    throw new DatabaseUnreachableError(
      requireMongoUri(cfg),
      0,
      new Error(`the server stopped answering at ${reach.since?.toISOString() ?? 'an unknown time'}`),
    );
  }
  return client.db(config().MONGODB_DB);
}

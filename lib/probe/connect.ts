import { MongoClient, type MongoClientOptions } from 'mongodb';
import { DatabaseUnreachableError } from '../db/client';

export const PROBE_APP_NAME = 'depictio-probe';

/**
 * The product's client guarantees, pinned here whatever the URI says: reads from the primary,
 * retryable writes, bounded server selection and socket waits.
 */
export function probeClientOptions(timeoutMs: number, extra: MongoClientOptions = {}): MongoClientOptions {
  return {
    appName: PROBE_APP_NAME,
    readPreference: 'primary',
    retryWrites: true,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    // Rows hold transactions open for under a second; anything far longer is a server that stopped answering.
    socketTimeoutMS: Math.max(2 * timeoutMs, 3_000),
    monitorCommands: true,
    ...extra,
  };
}

/** The URI with `readPreference` replaced, to show the client's own setting wins. */
export function withReadPreference(uri: string, mode: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?(?:\?(.*))?$/.exec(uri);
  if (!match) return uri;
  const params = (match[3] ?? '').split('&').filter((p) => p && !/^readPreference=/i.test(p));
  params.push(`readPreference=${mode}`);
  return `${match[1]}${match[2] ?? '/'}?${params.join('&')}`;
}

export async function connectProbe(uri: string, timeoutMs: number, extra: MongoClientOptions = {}): Promise<MongoClient> {
  let client: MongoClient | undefined;
  try {
    client = new MongoClient(uri, probeClientOptions(timeoutMs, extra));
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return client;
  } catch (error) {
    await client?.close().catch(() => {});
    throw new DatabaseUnreachableError(uri, timeoutMs, error);
  }
}

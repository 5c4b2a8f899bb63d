import { MongoClient, type MongoClientOptions } from 'mongodb';
import { DatabaseUnreachableError, clientOptions } from '../db/client';

export const PROBE_APP_NAME = 'depictio-probe';

/**
 * The product's own client options (primary reads, majority reads and journaled majority writes,
 * retryable writes, client-side timeouts, whatever the URI says), so the probe checks the server
 * through the client the product really uses; plus command monitoring for the rows.
 */
export function probeClientOptions(timeoutMs: number, extra: MongoClientOptions = {}): MongoClientOptions {
  return { ...clientOptions(timeoutMs, PROBE_APP_NAME), monitorCommands: true, ...extra };
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

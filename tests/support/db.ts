import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, inject } from 'vitest';

export const mongoUri = (): string => inject('mongoUri');

/**
 * A fresh database for one test file, over a real socket with the official driver, dropped after.
 * `name` shows in the database name so that a failing run can be inspected.
 */
export function useTestDb(name: string): { db: () => Db; client: () => MongoClient; dbName: string } {
  const dbName = `t_${path.basename(name).replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`;
  let client: MongoClient | undefined;
  const ensure = () => {
    client ??= new MongoClient(mongoUri(), { serverSelectionTimeoutMS: 10_000 });
    return client;
  };
  afterAll(async () => {
    if (client) {
      await client
        .db(dbName)
        .dropDatabase()
        .catch(() => {});
      await client.close();
    }
  });
  return { db: () => ensure().db(dbName), client: ensure, dbName };
}

/** Another database for the same test file (scratch copies, second scenarios). */
export function scratchDbName(prefix: string): string {
  return `${prefix}_${randomBytes(3).toString('hex')}`;
}

import type { Db } from 'mongodb';
import { sharedDb } from '../db/client';

export interface Initial<T> {
  data: T | undefined;
  /** Why the data could not be read: the page still renders and says so. */
  error: string | null;
}

/** A page's first data, read on the server; a database that cannot be reached is an answer, not a crash. */
export async function loadInitial<T>(load: (db: Db) => Promise<T>): Promise<Initial<T>> {
  try {
    return { data: await load(await sharedDb()), error: null };
  } catch (error) {
    return { data: undefined, error: (error as Error).message };
  }
}

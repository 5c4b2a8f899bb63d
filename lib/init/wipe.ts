import type { Db } from 'mongodb';
import { PRESERVED_COLLECTIONS } from '../db/collections';
import type { Lease } from '../lock/lease';
import { olderThan } from './fenced';

/**
 * Empties every collection except `initialization` (the lock and state), `init_history` and the
 * console's sign-in counters (PRESERVED_COLLECTIONS).
 * Never `dropDatabase`, never `drop`: a fenced `deleteMany` keeps the indexes, keeps the lock in
 * place throughout, and cannot delete what a newer holder wrote. Returns the count per collection.
 */
export async function wipeDatabase(db: Db, lease: Lease): Promise<Record<string, number>> {
  await lease.assertHeld();
  const names = (await db.listCollections({ type: 'collection' }, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => !PRESERVED_COLLECTIONS.includes(name) && !name.startsWith('system.'))
    .sort();
  const deleted: Record<string, number> = {};
  // One collection after the other: a holder that loses its lease stops between two of them.
  for (const name of names) {
    if (lease.signal.aborted) throw lease.signal.reason;
    deleted[name] = (await db.collection(name).deleteMany(olderThan(lease.fence))).deletedCount;
  }
  return deleted;
}

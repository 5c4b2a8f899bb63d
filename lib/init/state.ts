import type { Db } from 'mongodb';
import { INITIALIZATION, LOCK_ID, STATE_ID } from '../db/collections';
import { isDuplicateKey } from '../lock/errors';
import { parseLock, type Lease } from '../lock/lease';
import type { LockDoc } from '../schemas/lock';
import { stateSchema, type InitState } from '../schemas/state';

type StateDoc = { _id: string } & Record<string, unknown>;

function parseState(doc: unknown): InitState | null {
  const parsed = stateSchema.safeParse(doc);
  return parsed.success ? parsed.data : null;
}

export async function readState(db: Db): Promise<InitState | null> {
  return parseState(await db.collection<StateDoc>(INITIALIZATION).findOne({ _id: STATE_ID }));
}

/** The lock and the state in one read: what a waiting worker polls. */
export async function readLockAndState(db: Db): Promise<{ lock: LockDoc | null; state: InitState | null }> {
  const docs = await db
    .collection<StateDoc>(INITIALIZATION)
    .find({ _id: { $in: [LOCK_ID, STATE_ID] } })
    .toArray();
  const lockDoc = docs.find((d) => d._id === LOCK_ID);
  return { lock: lockDoc ? parseLock(lockDoc) : null, state: parseState(docs.find((d) => d._id === STATE_ID)) };
}

/** Writes `init_state` only over a state no newer holder wrote. */
export async function writeState(db: Db, lease: Lease, fields: Omit<InitState, '_id' | 'fence'>): Promise<void> {
  const state: InitState = stateSchema.parse({ _id: STATE_ID, fence: lease.fence, ...fields });
  try {
    await db
      .collection<StateDoc>(INITIALIZATION)
      .replaceOne({ _id: STATE_ID, $or: [{ fence: { $exists: false } }, { fence: { $lte: lease.fence } }] }, state, {
        upsert: true,
      });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await lease.assertHeld();
    throw error;
  }
}

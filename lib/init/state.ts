import type { Db } from 'mongodb';
import { committed, durable } from '../db/concerns';
import { INITIALIZATION, LOCK_ID, STATE_ID } from '../db/collections';
import { isDuplicateKey } from '../db/duplicate-key';
import { REMEMBERED_GENERATIONS, parseLock, type Lease } from '../lock/lease';
import type { LockDoc } from '../schemas/lock';
import { stateSchema, type InitState } from '../schemas/state';

type StateDoc = { _id: string } & Record<string, unknown>;

function parseState(doc: unknown): InitState | null {
  const parsed = stateSchema.safeParse(doc);
  return parsed.success ? parsed.data : null;
}

export async function readState(db: Db): Promise<InitState | null> {
  return parseState(await db.collection<StateDoc>(INITIALIZATION).findOne({ _id: STATE_ID }, committed()));
}

/** The lock and the state in one read of majority-committed data: what a waiting worker polls. */
export async function readLockAndState(db: Db): Promise<{ lock: LockDoc | null; state: InitState | null }> {
  const docs = await db
    .collection<StateDoc>(INITIALIZATION)
    .find({ _id: { $in: [LOCK_ID, STATE_ID] } }, committed())
    .toArray();
  const lockDoc = docs.find((d) => d._id === LOCK_ID);
  return { lock: lockDoc ? parseLock(lockDoc) : null, state: parseState(docs.find((d) => d._id === STATE_ID)) };
}

/** The state as only a holder with `fence` (or a newer one) may write it. */
const writableBy = (fence: number) => ({ $or: [{ fence: { $exists: false } }, { fence: { $lte: fence } }] });

/**
 * What a run was asked to do, recorded in the state when it begins: whoever finds the run in
 * progress with an expired lease can finish that same run.
 */
export type StateStart = Pick<
  InitState,
  'generation' | 'run_id' | 'worker_id' | 'wipe' | 'seed_mode' | 'projects' | 'seed_digest' | 'started_at' | 'indexes_version'
>;

/**
 * Marks the state in progress for the holder's generation and returns the state as it was, in one
 * atomic step that also checks the generation is not complete already (a predecessor may have
 * finished it and died before releasing the lock). `complete: true` then, and nothing written.
 */
export async function beginState(db: Db, lease: Lease, start: StateStart): Promise<{ previous: InitState | null; complete: boolean }> {
  lease.assertUsable();
  const states = db.collection<StateDoc>(INITIALIZATION);
  try {
    // Tried again after a transient error: a first try that was applied makes the second return
    // this run's own state as "before", which is in progress, never complete.
    const previous = await lease.retrying(() =>
      states.findOneAndUpdate(
        { _id: STATE_ID, $and: [writableBy(lease.fence), { completed_generations: { $ne: start.generation } }] },
        {
          $set: { ...start, status: 'in-progress', fence: lease.fence },
          $unset: { completed_at: '', failed_at: '', error: '', counts: '' },
        },
        { upsert: true, returnDocument: 'before', ...durable() },
      ),
    );
    return { previous: parseState(previous), complete: false };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // The filter did not match: this generation is complete, or a newer holder wrote the state.
    const current = await readState(db);
    if (current?.completed_generations?.includes(start.generation)) return { previous: current, complete: true };
    await lease.confirm();
    throw error;
  }
}

const completion = (generation: string, completedAt: Date, counts: Record<string, number>): Record<string, unknown> => ({
  $set: { status: 'complete', completed_at: completedAt, counts },
  $push: { completed_generations: { $each: [generation], $slice: -REMEMBERED_GENERATIONS } },
});

/**
 * The end of a run in one round trip: the state's completion and the lock's release, in that
 * order, in one command. False when either did not match: the lease was lost.
 */
export async function completeAndRelease(db: Db, lease: Lease, generation: string, completedAt: Date, counts: Record<string, number>): Promise<boolean> {
  lease.assertUsable();
  return lease.release(generation, {
    updateOne: { filter: { _id: STATE_ID, ...writableBy(lease.fence) }, update: completion(generation, completedAt, counts) },
  });
}

export async function failState(db: Db, lease: Lease, failedAt: Date, reason: string): Promise<void> {
  await updateState(db, lease, { $set: { status: 'failed', failed_at: failedAt, error: reason } });
}

async function updateState(db: Db, lease: Lease, update: Record<string, unknown>): Promise<void> {
  const result = await db.collection<StateDoc>(INITIALIZATION).updateOne({ _id: STATE_ID, ...writableBy(lease.fence) }, update, durable());
  if (result.matchedCount === 0) await lease.confirm();
}

import type { Collection, Db, UpdateFilter } from 'mongodb';
import { INITIALIZATION, LOCK_ID } from '../db/collections';
import type { ServerClock } from '../db/server-clock';
import { lockSchema, type Holder, type LockDoc } from '../schemas/lock';
import { LeaseLostError, isDuplicateKey } from './errors';

// Untyped on purpose: the lock may hold the platform's own fields; readLock parses what comes back.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type InitDoc = { _id: string; completed_generations?: string[]; [field: string]: any };

function lockCollection(db: Db): Collection<InitDoc> {
  return db.collection<InitDoc>(INITIALIZATION);
}

export function parseLock(doc: { _id: string }): LockDoc {
  const parsed = lockSchema.safeParse(doc);
  // A lock the platform wrote may not fit our shape; show what we can rather than nothing.
  return parsed.success ? parsed.data : ({ ...doc, _id: LOCK_ID } as LockDoc);
}

export async function readLock(db: Db): Promise<LockDoc | null> {
  const doc = await lockCollection(db).findOne({ _id: LOCK_ID });
  return doc ? parseLock(doc) : null;
}

/** How many completed generations the lock and the state remember. */
export const REMEMBERED_GENERATIONS = 100;

export type AcquireResult =
  | { acquired: true; lease: Lease; takenOverFrom: { holder: Holder; expiredAt: Date | undefined } | null }
  | { acquired: false; lock: LockDoc | null };

/**
 * Takes the lease in ONE atomic upsert: it matches only a free lock or an expired lease, and not a
 * lock that records this generation as completed. If the document exists but does not
 * match, the upsert's insert collides on `_id` (E11000): someone else holds a live lease.
 * `fence` grows by one on every grant.
 */
export async function acquireLease(
  db: Db,
  clock: ServerClock,
  holder: Holder,
  leaseMs: number,
): Promise<AcquireResult> {
  const now = await clock.fresh();
  const expires = new Date(now.getTime() + leaseMs);
  try {
    const before = await lockCollection(db).findOneAndUpdate(
      {
        _id: LOCK_ID,
        completed_generations: { $ne: holder.generation },
        $or: [{ holder: null }, { lease_expires_at: { $lt: now } }],
      },
      {
        $set: {
          holder,
          acquired_at: now,
          renewed_at: now,
          lease_expires_at: expires,
          renewals: 0,
          released_at: null,
          released_by: null,
          force_released_by: null,
          force_released_holder: null,
          worker_id: holder.worker_id,
          started_at: now,
          initialization_in_progress: true,
          initialization_complete: false,
        },
        $inc: { fence: 1 },
      },
      // "before" tells us whose expired lease we took over; the fence after is before + 1.
      { upsert: true, returnDocument: 'before' },
    );
    const previous = before ? lockSchema.safeParse(before) : null;
    const fence = (typeof before?.fence === 'number' ? before.fence : 0) + 1;
    const previousHolder = previous?.success ? previous.data.holder : null;
    return {
      acquired: true,
      lease: new Lease(db, clock, holder, fence, expires, leaseMs),
      takenOverFrom: previousHolder
        ? { holder: previousHolder, expiredAt: previous?.success ? previous.data.lease_expires_at : undefined }
        : null,
    };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return { acquired: false, lock: await readLock(db) };
  }
}

/** A granted lease: renew it, check it, release it. Loss of the lease aborts `signal`. */
export class Lease {
  private readonly controller = new AbortController();
  private heartbeat: NodeJS.Timeout | undefined;
  renewals = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: ServerClock,
    readonly holder: Holder,
    readonly fence: number,
    public expiresAt: Date,
    readonly leaseMs: number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private get mine() {
    return { _id: LOCK_ID, 'holder.worker_id': this.holder.worker_id, fence: this.fence };
  }

  /** Extends the lease. False (and the lease is lost) when the lock is no longer ours. */
  async renew(): Promise<boolean> {
    if (this.signal.aborted) return false;
    const now = await this.clock.sync();
    const expires = new Date(now.getTime() + this.leaseMs);
    const after = await lockCollection(this.db).findOneAndUpdate(
      this.mine,
      { $set: { renewed_at: now, lease_expires_at: expires }, $inc: { renewals: 1 } },
      { returnDocument: 'after', projection: { _id: 1 } },
    );
    if (!after) {
      this.lose('the lock now names another holder or fence');
      return false;
    }
    this.expiresAt = expires;
    this.renewals += 1;
    return true;
  }

  /**
   * Renews every third of the lease. A failed renewal that outlives the lease counts as lost:
   * past that point another worker may rightly take over.
   */
  startHeartbeat(onRenewed?: (lease: Lease) => void): void {
    const tick = async () => {
      try {
        if (await this.renew()) onRenewed?.(this);
      } catch (error) {
        if (this.clock.now() >= this.expiresAt) this.lose(`renewal failed past expiry: ${(error as Error).message}`);
      }
    };
    this.heartbeat = setInterval(() => void tick(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Throws LeaseLostError unless the lock still names this holder and fence. */
  async assertHeld(): Promise<void> {
    if (this.signal.aborted) throw this.signal.reason;
    const doc = await lockCollection(this.db).findOne(this.mine, { projection: { _id: 1 } });
    if (!doc) {
      this.lose('the lock now names another holder or fence');
      throw this.signal.reason;
    }
  }

  private lose(reason: string): void {
    this.stopHeartbeat();
    if (!this.signal.aborted) this.controller.abort(new LeaseLostError(this.fence, reason));
  }

  /** Frees the lock and keeps the document. `completedGeneration` stops re-acquisition for it. */
  async release(completedGeneration?: string): Promise<boolean> {
    this.stopHeartbeat();
    const now = this.clock.now();
    const update = {
      $set: {
        holder: null,
        released_at: now,
        released_by: this.holder.worker_id,
        initialization_in_progress: false,
        initialization_complete: completedGeneration !== undefined,
        ...(completedGeneration !== undefined ? { completed_generation: completedGeneration } : {}),
      },
      ...(completedGeneration !== undefined
        ? { $push: { completed_generations: { $each: [completedGeneration], $slice: -REMEMBERED_GENERATIONS } } }
        : {}),
    };
    // The driver's types reject $push with $slice on an open-ended document type; the shape is right.
    const result = await lockCollection(this.db).updateOne(this.mine, update as UpdateFilter<InitDoc>);
    return result.matchedCount === 1;
  }
}

import { performance } from 'node:perf_hooks';
import type { AnyBulkWriteOperation, ClientSession, Collection, Db, UpdateFilter } from 'mongodb';
import { MAJORITY_WRITE, committed, durable } from '../db/concerns';
import { INIT_HISTORY, INITIALIZATION, LOCK_ID, STATE_ID } from '../db/collections';
import { isDuplicateKey } from '../db/duplicate-key';
import type { ServerClock } from '../db/server-clock';
import { serverFacts, type ServerFacts } from '../db/topology';
import { retryTransient } from '../db/transient';
import { lockSchema, type Holder, type LockDoc } from '../schemas/lock';
import { LeaseLostError } from './lease-lost-error';
import { leaseExpiredBy } from './liveness';

// Untyped on purpose: the lock may hold the platform's own fields; readLock parses what comes back.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type InitDoc = { _id: string; completed_generations?: string[]; [field: string]: any };

/** A write to the `initialization` collection, sent with the release (lib/init/state.ts). */
export type InitWrite = AnyBulkWriteOperation<InitDoc>;

function lockCollection(db: Db): Collection<InitDoc> {
  return db.collection<InitDoc>(INITIALIZATION);
}

export function parseLock(doc: { _id: string }): LockDoc {
  const parsed = lockSchema.safeParse(doc);
  // A lock the platform wrote may not fit our shape; show what we can rather than nothing.
  return parsed.success ? parsed.data : ({ ...doc, _id: LOCK_ID } as LockDoc);
}

export async function readLock(db: Db): Promise<LockDoc | null> {
  const doc = await lockCollection(db).findOne({ _id: LOCK_ID }, committed());
  return doc ? parseLock(doc) : null;
}

/** How many completed generations the lock and the state remember. */
export const REMEMBERED_GENERATIONS = 100;

/**
 * The margin by which a holder stops writing before its lease ends by its own monotonic clock: it
 * covers the error of its estimate of the server's clock and of its successor's.
 */
export function safetyMarginMs(leaseMs: number): number {
  return Math.max(20, Math.floor(leaseMs / 10));
}

export type AcquireResult =
  | { acquired: true; lease: Lease; takenOverFrom: { holder: Holder; expiredAt: Date | undefined } | null; fenceRaisedFrom?: number }
  | { acquired: false; lock: LockDoc | null };

/** The highest fence on record apart from the lock: the state's, and any event's in the history. */
async function highestFenceOnRecord(db: Db): Promise<number> {
  const [state, event] = await Promise.all([
    db.collection<InitDoc>(INITIALIZATION).findOne({ _id: STATE_ID }, { projection: { fence: 1 }, ...committed() }),
    db.collection(INIT_HISTORY).findOne({ fence: { $type: 'number' } }, { sort: { fence: -1 }, projection: { fence: 1 }, ...committed() }),
  ]);
  return Math.max(0, typeof state?.fence === 'number' ? state.fence : 0, typeof event?.fence === 'number' ? event.fence : 0);
}

/**
 * Takes the lease in ONE atomic upsert: it matches only a free lock or an expired lease, and not a
 * lock that records this generation as completed. If the document exists but does not match, the
 * upsert's insert collides on `_id` (E11000): someone else holds a live lease. The filter is not a
 * pure equality on `_id` on purpose: the server then never turns that duplicate-key upsert into an
 * update of the live lock. `fence` grows by one on every grant.
 */
export async function acquireLease(
  db: Db,
  clock: ServerClock,
  holder: Holder,
  leaseMs: number,
  { nameHolder = true, deadline = Date.now() + leaseMs }: { nameHolder?: boolean; deadline?: number } = {},
): Promise<AcquireResult> {
  const facts = await serverFacts(db);
  let sentAt = 0;
  let tries = 0;
  let now = await clock.fresh();
  const attempt = async () => {
    tries += 1;
    now = await clock.fresh();
    sentAt = performance.now();
    return lockCollection(db).findOneAndUpdate(
      {
        _id: LOCK_ID,
        completed_generations: { $ne: holder.generation },
        $or: [{ holder: null }, { lease_expires_at: leaseExpiredBy(now) }],
      },
      {
        $set: {
          holder,
          acquired_at: now,
          renewed_at: now,
          lease_expires_at: new Date(now.getTime() + leaseMs),
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
      { upsert: true, returnDocument: 'before', ...durable() },
    );
  };
  let before: InitDoc | null;
  try {
    before = await retryTransient(attempt, { deadline });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // A first try that collided is someone else's live lease: a caller that reads the lock next
    // anyway (a waiting worker) is spared the read that names the holder.
    if (tries === 1 && !nameHolder) return { acquired: false, lock: null };
    const lock = await readLock(db);
    // An earlier try of ours whose answer was lost (a failover, a dropped connection) did take it.
    const ours = lock?.holder?.worker_id === holder.worker_id && lock.holder.run_id === holder.run_id && lock.holder.generation === holder.generation;
    if (!ours || typeof lock.fence !== 'number' || !lock.lease_expires_at) return { acquired: false, lock };
    return {
      acquired: true,
      lease: new Lease(db, clock, holder, lock.fence, lock.lease_expires_at, leaseMs, sentAt, facts),
      takenOverFrom: null,
    };
  }
  let fence = (typeof before?.fence === 'number' ? before.fence : 0) + 1;
  let fenceRaisedFrom: number | undefined;
  if (!before) {
    // The lock document was missing (deleted by something else): a fence of 1 would sit below
    // everything already stamped. Raise it above the highest on record, while the lease is ours.
    const highest = await highestFenceOnRecord(db);
    if (highest >= fence) {
      const raised = await lockCollection(db).findOneAndUpdate(
        { _id: LOCK_ID, 'holder.worker_id': holder.worker_id, fence },
        { $max: { fence: highest + 1 } },
        { returnDocument: 'after', projection: { fence: 1 }, ...durable() },
      );
      if (!raised) return { acquired: false, lock: await readLock(db) };
      fenceRaisedFrom = fence;
      fence = raised.fence as number;
    }
  }
  const previous = before ? lockSchema.safeParse(before) : null;
  const previousHolder = previous?.success ? previous.data.holder : null;
  return {
    acquired: true,
    lease: new Lease(db, clock, holder, fence, new Date(now.getTime() + leaseMs), leaseMs, sentAt, facts),
    takenOverFrom: previousHolder ? { holder: previousHolder, expiredAt: previous?.success ? previous.data.lease_expires_at : undefined } : null,
    ...(fenceRaisedFrom !== undefined ? { fenceRaisedFrom } : {}),
  };
}

/** A batch of the holder's writes; `session` is set when the batch runs in a fencing transaction. */
export type FencedWork<T> = (session: ClientSession | undefined) => Promise<T>;

/** A batch found a document on its `_id` that it must retry: in a transaction, the whole batch. */
export class RetryBatchError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryBatchError';
  }
}

const BATCH_TRIES = 4;

/**
 * A granted lease. It is renewed every third of its length; it is usable only while the last
 * confirmed renewal is younger than the lease minus a safety margin, by this process's monotonic
 * clock, so a holder that was paused stops before sending anything once it wakes. Every batch of
 * writes goes through `fenced`, which checks the lease in the database first (on a replica set, as
 * the first statement of the batch's transaction) and keeps track of the batch, so that a failing
 * holder can wait for its writes in flight before it gives the lease up.
 */
export class Lease {
  private readonly controller = new AbortController();
  private heartbeat: NodeJS.Timeout | undefined;
  private usableUntil: number;
  /** When (monotonic clock) the request that last proved the lease ours in the database was sent. */
  private confirmedAt: number;
  private halted: Error | null = null;
  private readonly inflight = new Set<Promise<unknown>>();
  renewals = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: ServerClock,
    readonly holder: Holder,
    readonly fence: number,
    public expiresAt: Date,
    readonly leaseMs: number,
    confirmedAt: number,
    readonly facts: ServerFacts,
  ) {
    this.usableUntil = confirmedAt + leaseMs - safetyMarginMs(leaseMs);
    this.confirmedAt = confirmedAt;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private get mine() {
    return { _id: LOCK_ID, 'holder.worker_id': this.holder.worker_id, fence: this.fence };
  }

  /** Throws LeaseLostError unless the lease is still ours by the local clock (no round trip). */
  assertUsable(): void {
    if (this.signal.aborted) throw this.signal.reason;
    if (this.halted) throw this.halted;
    if (performance.now() > this.usableUntil) {
      this.lose(`no renewal confirmed within the lease (${this.leaseMs} ms) less its margin`);
      throw this.signal.reason;
    }
  }

  /** Extends the lease. False (and the lease is lost) when the lock is no longer ours. */
  async renew(): Promise<boolean> {
    if (this.signal.aborted) return false;
    const now = await this.clock.fresh();
    const sentAt = performance.now();
    const expires = new Date(now.getTime() + this.leaseMs);
    const after = await lockCollection(this.db).findOneAndUpdate(
      this.mine,
      { $set: { renewed_at: now, lease_expires_at: expires }, $inc: { renewals: 1 } },
      { returnDocument: 'after', projection: { _id: 1 }, ...durable() },
    );
    if (!after) {
      this.lose('the lock now names another holder or fence');
      return false;
    }
    this.usableUntil = Math.max(this.usableUntil, sentAt + this.leaseMs - safetyMarginMs(this.leaseMs));
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    this.expiresAt = expires;
    this.renewals += 1;
    return true;
  }

  /** The lease check in the database: a renewal, so it also pushes the expiry out. */
  async confirm(): Promise<void> {
    this.assertUsable();
    const renewed = await retryTransient(() => this.renew(), { deadline: Date.now() + this.leaseMs, beforeRetry: () => this.assertUsable() });
    if (!renewed) throw this.signal.reason;
  }

  /**
   * The lease check before a batch (standalone): a round trip only when the database last proved
   * the lease ours (the grant, a renewal) longer ago than the safety margin, the same allowance the
   * holder already makes its own clock. A run of batches right after the grant costs no extra
   * round trips; a holder that was paused or slow asks again.
   */
  async confirmBeforeBatch(): Promise<void> {
    this.assertUsable();
    if (performance.now() - this.confirmedAt <= safetyMarginMs(this.leaseMs)) return;
    await this.confirm();
  }

  /** Renews every third of the lease; a renewal that fails past the usable time loses the lease. */
  startHeartbeat(onRenewed?: (lease: Lease) => void): void {
    const tick = async () => {
      try {
        if (await this.renew()) onRenewed?.(this);
      } catch (error) {
        if (performance.now() > this.usableUntil) this.lose(`renewal failed past the lease: ${(error as Error).message}`);
      }
    };
    this.heartbeat = setInterval(() => void tick(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /**
   * Runs one batch of writes fenced on this lease. Standalone: the lease is confirmed in the
   * database, then the batch runs (a holder paused between the two can still land this batch: the
   * per-document fences are then all that protect the data). Replica set: the batch runs in a
   * transaction whose first statement writes the lock document on this holder and fence, so a
   * takeover either waits for the batch or makes it abort. Transient errors are tried again while
   * the lease is usable.
   */
  /**
   * One of the holder's own reads or writes outside the seed batches (the state's start, the
   * wipe's snapshot, the index builds): transient errors (a failover, a stepdown) are tried again
   * while the lease is usable, and it counts as in flight, so a failure path waits for it too.
   */
  retrying<T>(operation: () => Promise<T>): Promise<T> {
    const run = retryTransient(operation, { deadline: Date.now() + this.leaseMs, beforeRetry: () => this.assertUsable() });
    this.inflight.add(run);
    void run.catch(() => {}).finally(() => this.inflight.delete(run));
    return run;
  }

  fenced<T>(work: FencedWork<T>): Promise<T> {
    const run = (async () => {
      for (let attempt = 1; ; attempt += 1) {
        this.assertUsable();
        try {
          return await retryTransient(() => (this.facts.transactions ? this.inTransaction(work) : this.confirmThen(work)), {
            deadline: Date.now() + this.leaseMs,
            beforeRetry: () => this.assertUsable(),
          });
        } catch (error) {
          if (!(error instanceof RetryBatchError) || attempt >= BATCH_TRIES) throw error;
        }
      }
    })();
    this.inflight.add(run);
    void run.catch(() => {}).finally(() => this.inflight.delete(run));
    return run;
  }

  private async confirmThen<T>(work: FencedWork<T>): Promise<T> {
    await this.confirmBeforeBatch();
    this.assertUsable();
    return work(undefined);
  }

  private async inTransaction<T>(work: FencedWork<T>): Promise<T> {
    const session = this.db.client.startSession();
    try {
      session.startTransaction({ readConcern: { level: 'snapshot' }, writeConcern: MAJORITY_WRITE, readPreference: 'primary' });
      try {
        this.assertUsable();
        const touched = await lockCollection(this.db).updateOne(this.mine, { $set: { fenced_at: this.clock.now() } }, { session });
        if (touched.matchedCount !== 1) {
          this.lose('the lock now names another holder or fence');
          throw this.signal.reason;
        }
        const result = await work(session);
        this.assertUsable();
        await session.commitTransaction();
        return result;
      } catch (error) {
        if (session.inTransaction()) await session.abortTransaction().catch(() => {});
        throw error;
      }
    } finally {
      await session.endSession().catch(() => {});
    }
  }

  /**
   * Stops sending batches (a failure elsewhere in the run) while the lease stays ours, so the
   * holder can wait for what is in flight, record the failure and release.
   */
  halt(reason: Error): void {
    this.halted ??= reason;
  }

  /** Waits until every batch sent so far has finished, whatever its result. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private lose(reason: string): void {
    this.stopHeartbeat();
    if (!this.signal.aborted) this.controller.abort(new LeaseLostError(this.fence, reason));
  }

  /**
   * Frees the lock and keeps the document, after every batch in flight has finished.
   * `completedGeneration` stops re-acquisition for it. `leading` is a write to the same collection
   * (the state's completion) sent in the same command, before the release: one round trip. True
   * when the release, and the leading write if any, matched.
   */
  async release(completedGeneration?: string, leading?: InitWrite): Promise<boolean> {
    this.halt(new LeaseLostError(this.fence, 'released'));
    await this.drain();
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
      ...(completedGeneration !== undefined ? { $push: { completed_generations: { $each: [completedGeneration], $slice: -REMEMBERED_GENERATIONS } } } : {}),
    };
    // The driver's types reject $push with $slice on an open-ended document type; the shape is right.
    const releasing: AnyBulkWriteOperation<InitDoc> = { updateOne: { filter: this.mine, update: update as UpdateFilter<InitDoc> } };
    const statements = leading ? [leading, releasing] : [releasing];
    // Ordered: the state is complete before the lock is free, as a waiter reads them.
    const result = await retryTransient(() => lockCollection(this.db).bulkWrite(statements, { ordered: true, ...durable() }), {
      deadline: Date.now() + this.leaseMs,
    });
    return result.matchedCount === statements.length;
  }
}

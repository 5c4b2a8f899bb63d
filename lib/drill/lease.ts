import type { Collection, Db } from 'mongodb';
import { z } from 'zod';
import { DRILL_RUNS } from '../db/collections';
import { durable } from '../db/concerns';
import type { ServerClock } from '../db/server-clock';
import { isDuplicateKey } from '../db/duplicate-key';
import { leaseExpiredBy, leaseIsLive, leaseLiveAt } from '../lock/liveness';

/**
 * One drill at a time across every console instance: a lease in one document of `drill_runs`,
 * apart from the workers' init lock (drills run on scratch databases and must never hold up an
 * initialization). Taken, renewed and released as the init lease is; lease times are the database
 * server's.
 */
export const DRILL_LEASE_ID = 'drill_lease';

/** The console instance that runs a drill, and the drill. */
export const drillHolderSchema = z.object({
  job_id: z.string(),
  /** host:pid:suffix of the console process. */
  instance: z.string(),
  host: z.string(),
  pid: z.number(),
  started_by: z.string(),
});
export type DrillHolder = z.infer<typeof drillHolderSchema>;

export const drillLeaseSchema = z.object({
  _id: z.literal(DRILL_LEASE_ID),
  holder: drillHolderSchema.nullable(),
  acquired_at: z.date().nullable(),
  renewed_at: z.date().nullable(),
  lease_expires_at: z.date().nullable(),
  released_at: z.date().nullable().default(null),
  renewals: z.number().default(0),
});
export type DrillLeaseDoc = z.infer<typeof drillLeaseSchema>;

// Untyped on purpose, as the init lock's: readDrillLease parses what comes back.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LeaseRow = { _id: string; [field: string]: any };
const leases = (db: Db): Collection<LeaseRow> => db.collection<LeaseRow>(DRILL_RUNS);

export async function readDrillLease(db: Db): Promise<DrillLeaseDoc | null> {
  const doc = await leases(db).findOne({ _id: DRILL_LEASE_ID });
  const parsed = doc ? drillLeaseSchema.safeParse(doc) : null;
  return parsed?.success ? parsed.data : null;
}

/** The lease is this job's and live by the init lock's rule (lib/lock/lease.ts), on the server's clock. */
export function drillLeaseIsLive(lease: DrillLeaseDoc | null, jobId: string, now: Date): boolean {
  return lease?.holder?.job_id === jobId && leaseIsLive(lease, now);
}

export type DrillLeaseAttempt = { acquired: true; lease: DrillLease; expired: DrillLeaseDoc | null } | { acquired: false; current: DrillLeaseDoc | null };

/**
 * Takes the drill lease in ONE atomic upsert whose filter matches only a free or expired lease.
 * When the document exists and does not match, the upsert's insert collides on `_id` (E11000):
 * another drill holds a live lease. `expired` is the lease taken over, whose drill never finished.
 */
export async function acquireDrillLease(db: Db, clock: ServerClock, holder: DrillHolder, leaseMs: number): Promise<DrillLeaseAttempt> {
  const now = await clock.sync();
  const expires = new Date(now.getTime() + leaseMs);
  try {
    const before = await leases(db).findOneAndUpdate(
      { _id: DRILL_LEASE_ID, $or: [{ holder: null }, { lease_expires_at: leaseExpiredBy(now) }] },
      { $set: { holder, acquired_at: now, renewed_at: now, lease_expires_at: expires, released_at: null, renewals: 0 } },
      { upsert: true, returnDocument: 'before', ...durable() },
    );
    const previous = before ? drillLeaseSchema.safeParse(before) : null;
    const expired = previous?.success && previous.data.holder ? previous.data : null;
    return { acquired: true, lease: new DrillLease(db, clock, holder, expires, leaseMs), expired };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return { acquired: false, current: await readDrillLease(db) };
  }
}

/** A granted drill lease. Losing it aborts `signal`: the drill stops its workers. */
export class DrillLease {
  private readonly controller = new AbortController();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: ServerClock,
    readonly holder: DrillHolder,
    public expiresAt: Date,
    readonly leaseMs: number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Extends the lease while it is live. An expired lease is not revived even if nobody took it:
   * past its expiry a reader may already have marked the drill interrupted.
   */
  async renew(): Promise<boolean> {
    if (this.signal.aborted) return false;
    const now = await this.clock.sync();
    const expires = new Date(now.getTime() + this.leaseMs);
    const after = await leases(this.db).findOneAndUpdate(
      { _id: DRILL_LEASE_ID, 'holder.job_id': this.holder.job_id, lease_expires_at: leaseLiveAt(now) },
      { $set: { renewed_at: now, lease_expires_at: expires }, $inc: { renewals: 1 } },
      { returnDocument: 'after', projection: { _id: 1 }, ...durable() },
    );
    if (!after) {
      this.lose('the drill lease expired or names another drill');
      return false;
    }
    this.expiresAt = expires;
    return true;
  }

  /** Renews every third of the lease; a renewal that keeps failing past the expiry loses it. */
  startHeartbeat(onRenewed?: (expiresAt: Date) => void): void {
    const tick = async () => {
      try {
        if (await this.renew()) onRenewed?.(this.expiresAt);
      } catch (error) {
        if (this.clock.now() >= this.expiresAt) this.lose(`renewal failed past expiry: ${(error as Error).message}`);
      }
    };
    this.heartbeat = setInterval(() => void tick(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  private lose(reason: string): void {
    this.stopHeartbeat();
    if (!this.signal.aborted) this.controller.abort(new Error(`the drill lost its lease: ${reason}`));
  }

  stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Frees the lease and keeps the document; only while it still names this drill. */
  async release(): Promise<boolean> {
    this.stopHeartbeat();
    const result = await leases(this.db).updateOne(
      { _id: DRILL_LEASE_ID, 'holder.job_id': this.holder.job_id },
      { $set: { holder: null, released_at: this.clock.now() } },
      durable(),
    );
    return result.matchedCount === 1;
  }
}

import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { z } from 'zod';
import { refuse, type ActionResult } from '../auth/action-guard';
import { DRILL_RUNS, INIT_HISTORY } from '../db/collections';
import { ServerClock } from '../db/server-clock';
import { config, type Config } from '../env';
import { workerIdentity } from '../lock/identity';
import { DRILL_LEASE_ID, acquireDrillLease, drillHolderSchema, drillLeaseIsLive, readDrillLease, type DrillHolder, type DrillLeaseDoc } from './lease';
import { drillRequestSchema, type DrillRequest } from './request';
import { runDrill } from './run-drill';
import { assertScratchDatabase, historyDatabaseName } from './scratch';
import { drillProgressSchema, drillResultSchema, type DrillProgress } from './types';

export { drillRequestSchema, type DrillRequest } from './request';

/**
 * A drill started from the console, kept in the console's database so that any console instance
 * can answer the page's polling: its request, the instance running it, live progress per
 * algorithm, and results as each algorithm finishes. A drill whose lease expired while it was
 * `running` (its console died) is `interrupted`: whoever reads it or starts the next drill says so.
 */
export const drillJobSchema = z.object({
  _id: z.string(),
  started_by: z.string(),
  request: drillRequestSchema,
  status: z.enum(['running', 'done', 'failed', 'interrupted']),
  /** Drills recorded before the drill lease existed name no holder. */
  holder: drillHolderSchema.nullable().default(null),
  /** The lease's expiry as last renewed: when the drill counts as dead if nothing renews it. */
  lease_expires_at: z.date().nullable().default(null),
  progress: z.record(z.string(), drillProgressSchema),
  results: z.array(drillResultSchema),
  error: z.string().nullable(),
  interrupted: z
    .object({
      /** When its lease expired. */
      at: z.date(),
      /** The console instance that was running it. */
      instance: z.string(),
      noticed_at: z.date(),
      noticed_by: z.string(),
    })
    .nullable()
    .default(null),
  started_at: z.date(),
  finished_at: z.date().nullable(),
});
export type DrillJob = z.infer<typeof drillJobSchema>;
type DrillJobDoc = z.input<typeof drillJobSchema>;

const jobsOf = (db: Db): Collection<DrillJobDoc> => db.collection<DrillJobDoc>(DRILL_RUNS);
const notTheLease = { _id: { $ne: DRILL_LEASE_ID } };

let instance: ReturnType<typeof workerIdentity> | undefined;
/** This console process, as drill leases and jobs name it. */
export function consoleInstance() {
  instance ??= workerIdentity();
  return instance;
}

/**
 * Marks `job` interrupted when it is `running` and its lease is not live: its console died (or
 * stopped renewing) and nothing will ever finish it. The update is conditional on `running`, so a
 * drill that finished meanwhile keeps its result. Its scratch databases are dropped.
 */
async function settle(db: Db, job: DrillJob, lease: DrillLeaseDoc | null, now: Date): Promise<DrillJob> {
  if (job.status !== 'running' || drillLeaseIsLive(lease, job._id, now)) return job;
  const expiredAt = (lease?.holder?.job_id === job._id ? lease.lease_expires_at : null) ?? job.lease_expires_at ?? job.started_at;
  const interrupted = { at: expiredAt, instance: job.holder?.instance ?? 'unknown', noticed_at: now, noticed_by: consoleInstance().worker_id };
  const after = await jobsOf(db).findOneAndUpdate(
    { _id: job._id, status: 'running' },
    { $set: { status: 'interrupted', interrupted, finished_at: expiredAt } },
    { returnDocument: 'after' },
  );
  if (!after) return (await readJob(db, job._id)) ?? job;
  await dropScratchOf(db, job);
  return drillJobSchema.parse(after);
}

async function dropScratchOf(db: Db, job: DrillJob): Promise<void> {
  for (const progress of Object.values(job.progress)) {
    for (const name of new Set([progress.database, historyDatabaseName(progress.database)])) {
      try {
        assertScratchDatabase(name, db.databaseName);
        await db.client.db(name).dropDatabase();
      } catch {
        // Best effort: a name that is not a scratch database's is never dropped.
      }
    }
  }
}

async function readJob(db: Db, id: string): Promise<DrillJob | null> {
  const doc = await jobsOf(db).findOne({ _id: id });
  return doc ? drillJobSchema.parse(doc) : null;
}

async function settled(db: Db, job: DrillJob | null): Promise<DrillJob | null> {
  if (!job || job.status !== 'running') return job;
  const clock = new ServerClock(db);
  return settle(db, job, await readDrillLease(db), await clock.sync());
}

export async function readDrillJob(db: Db, id: string): Promise<DrillJob | null> {
  if (id === DRILL_LEASE_ID) return null;
  return settled(db, await readJob(db, id));
}

export async function latestDrillJob(db: Db): Promise<DrillJob | null> {
  const doc = await jobsOf(db).findOne(notTheLease, { sort: { started_at: -1 } });
  return settled(db, doc ? drillJobSchema.parse(doc) : null);
}

export type StartDrillResult = ActionResult<{ job_id: string }>;

export interface StartDrillOptions {
  /** The drill lease's term (INIT_LEASE_MS by default); renewed every third of it. */
  leaseMs?: number;
  config?: Config;
}

function refusal(current: DrillLeaseDoc | null): StartDrillResult {
  const holder = current?.holder;
  if (!holder) return refuse('conflict', 'No drill was started: another drill took the drill lease at the same moment. Try again.', { holder: null });
  const until = current.lease_expires_at?.toISOString() ?? null;
  return refuse(
    'conflict',
    `No drill was started: drill ${holder.job_id}, started by ${holder.started_by}, is running on console ${holder.instance}${until ? ` (lease until ${until})` : ''}. One drill runs at a time.`,
    { holder: holder.instance, lease_expires_at: until },
  );
}

/**
 * Starts the drill in the background and returns its id at once, or refuses, naming the holder,
 * while another drill holds the drill lease on any console instance. Each algorithm runs on its
 * own scratch database (dropped after); its history is copied into the console's `init_history`
 * under its `drill-…` run id, so the workers page shows each run's timeline.
 */
export async function startDrillJob(db: Db, uri: string, request: DrillRequest, startedBy: string, options: StartDrillOptions = {}): Promise<StartDrillResult> {
  const cfg = options.config ?? config();
  const leaseMs = options.leaseMs ?? cfg.INIT_LEASE_MS;
  const id = `drill-job-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
  const me = consoleInstance();
  const holder: DrillHolder = { job_id: id, instance: me.worker_id, host: me.host, pid: me.pid, started_by: startedBy };
  const clock = new ServerClock(db);
  const attempt = await acquireDrillLease(db, clock, holder, leaseMs);
  if (!attempt.acquired) return refusal(attempt.current);
  const { lease } = attempt;

  const jobs = jobsOf(db);
  try {
    // The lease comes first: a reader that sees this job running also sees the lease naming it.
    await jobs.insertOne({
      _id: id,
      started_by: startedBy,
      request,
      status: 'running',
      holder,
      lease_expires_at: lease.expiresAt,
      progress: {},
      results: [],
      error: null,
      interrupted: null,
      started_at: new Date(),
      finished_at: null,
    });
    // Every other drill still `running` lost its lease to this one: none of them is alive.
    const now = clock.now();
    const stale = await jobs
      .find({ status: 'running', _id: { $nin: [id, DRILL_LEASE_ID] } })
      .limit(100)
      .toArray();
    for (const doc of stale) {
      const job = drillJobSchema.parse(doc);
      const expiredAt = attempt.expired?.holder?.job_id === job._id ? attempt.expired.lease_expires_at : null;
      await settle(db, { ...job, lease_expires_at: expiredAt ?? job.lease_expires_at }, null, now);
    }
  } catch (error) {
    await lease.release().catch(() => {});
    throw error;
  }

  const running = { _id: id, status: 'running' as const };
  lease.startHeartbeat((expiresAt) => void jobs.updateOne(running, { $set: { lease_expires_at: expiresAt } }).catch(() => {}));
  void (async () => {
    let lastWrite = 0;
    const onProgress = (progress: DrillProgress) => {
      // At most four writes a second, and every change of phase.
      const now = Date.now();
      if (progress.phase === 'running' && now - lastWrite < 250) return;
      lastWrite = now;
      void jobs.updateOne(running, { $set: { [`progress.${progress.algorithm}`]: progress } }).catch(() => {});
    };
    try {
      for (const algorithm of request.algorithms) {
        lease.signal.throwIfAborted();
        const result = await runDrill(
          uri,
          { algorithm, workers: request.workers, late: request.late, lateAfterMs: request.lateAfterMs, windowMs: request.windowMs },
          {
            config: cfg,
            signal: lease.signal,
            onProgress,
            onHistory: async (events) => {
              if (events.length > 0) await db.collection(INIT_HISTORY).insertMany(events);
            },
          },
        );
        await jobs.updateOne(running, { $push: { results: result } });
      }
      await jobs.updateOne(running, { $set: { status: 'done', finished_at: new Date() } });
    } catch (error) {
      await jobs.updateOne(running, { $set: { status: 'failed', error: (error as Error).message, finished_at: new Date() } }).catch(() => {});
    } finally {
      await lease.release().catch(() => {});
    }
  })();
  return { ok: true, job_id: id };
}

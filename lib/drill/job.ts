import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { z } from 'zod';
import { DRILL_RUNS, INIT_HISTORY } from '../db/collections';
import { runDrill } from './run-drill';
import { DRILL_ALGORITHMS, drillProgressSchema, drillResultSchema, type DrillProgress } from './types';

/** What an admin asks of the drill page. */
export const drillRequestSchema = z.object({
  algorithms: z.array(z.enum(DRILL_ALGORITHMS)).min(1, 'choose at least one algorithm'),
  workers: z.coerce.number().int().min(1, 'at least 1 worker').max(32, 'at most 32 workers'),
  late: z.coerce.number().int().min(0).max(16, 'at most 16 late starters'),
  lateAfterMs: z.coerce.number().int().min(0).max(60_000),
  windowMs: z.coerce.number().int().min(0).max(10_000),
});
export type DrillRequest = z.infer<typeof drillRequestSchema>;

/**
 * A drill started from the console, kept in the console's database so that any console instance
 * can answer the page's polling: its request, live progress per algorithm, and results as each
 * algorithm finishes.
 */
export const drillJobSchema = z.object({
  _id: z.string(),
  started_by: z.string(),
  request: drillRequestSchema,
  status: z.enum(['running', 'done', 'failed']),
  progress: z.record(z.string(), drillProgressSchema),
  results: z.array(drillResultSchema),
  error: z.string().nullable(),
  started_at: z.date(),
  finished_at: z.date().nullable(),
});
export type DrillJob = z.infer<typeof drillJobSchema>;

export async function readDrillJob(db: Db, id: string): Promise<DrillJob | null> {
  const doc = await db.collection<DrillJob>(DRILL_RUNS).findOne({ _id: id });
  return doc ? drillJobSchema.parse(doc) : null;
}

export async function latestDrillJob(db: Db): Promise<DrillJob | null> {
  const doc = await db.collection<DrillJob>(DRILL_RUNS).findOne({}, { sort: { started_at: -1 } });
  return doc ? drillJobSchema.parse(doc) : null;
}

/**
 * Starts the drill in the background and returns its id at once. Each algorithm runs on its own
 * scratch database (dropped after); its history is copied into the console's `init_history`
 * under its `drill-…` run id, so the workers page shows each run's timeline.
 */
export async function startDrillJob(db: Db, uri: string, request: DrillRequest, startedBy: string): Promise<string> {
  const id = `drill-job-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(2).toString('hex')}`;
  const jobs = db.collection<DrillJob>(DRILL_RUNS);
  await jobs.insertOne({
    _id: id,
    started_by: startedBy,
    request,
    status: 'running',
    progress: {},
    results: [],
    error: null,
    started_at: new Date(),
    finished_at: null,
  });
  void (async () => {
    let lastWrite = 0;
    const onProgress = (progress: DrillProgress) => {
      // At most four writes a second, and every change of phase.
      const now = Date.now();
      if (progress.phase === 'running' && now - lastWrite < 250) return;
      lastWrite = now;
      void jobs.updateOne({ _id: id }, { $set: { [`progress.${progress.algorithm}`]: progress } }).catch(() => {});
    };
    try {
      for (const algorithm of request.algorithms) {
        const result = await runDrill(
          uri,
          { algorithm, workers: request.workers, late: request.late, lateAfterMs: request.lateAfterMs, windowMs: request.windowMs },
          {
            onProgress,
            onHistory: async (events) => {
              if (events.length > 0) await db.collection(INIT_HISTORY).insertMany(events);
            },
          },
        );
        await jobs.updateOne({ _id: id }, { $push: { results: result } });
      }
      await jobs.updateOne({ _id: id }, { $set: { status: 'done', finished_at: new Date() } });
    } catch (error) {
      await jobs.updateOne({ _id: id }, { $set: { status: 'failed', error: (error as Error).message, finished_at: new Date() } }).catch(() => {});
    }
  })();
  return id;
}

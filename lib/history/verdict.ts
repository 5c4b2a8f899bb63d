import type { Db } from 'mongodb';
import { z } from 'zod';
import { auditDigest, type AuditDigest } from '../audit/run-audit';
import { dataFiguresSchema, judge, verdictSchema, type DataFigures } from './findings';
import { runEvents } from './run-events';
import { runTallySchema, tallyRun } from './run-tally';

/** A run's tally with the database as it is now, and the verdict. */
export const runVerdictSchema = runTallySchema.extend({ run_id: z.string(), ...dataFiguresSchema.shape, ...verdictSchema.shape });
export type RunVerdict = z.infer<typeof runVerdictSchema>;

/** What `npm run workers -- --json` prints: the verdict without its dates, and the workers' process start-up. */
export const workersReportSchema = runVerdictSchema.omit({ generations: true, started_at: true, finished_at: true }).extend({ startup_ms: z.number() });
export type WorkersReport = z.infer<typeof workersReportSchema>;

/**
 * The data figures every verdict of the database as it is now reads, from one audit pass (it reads
 * every project and dashboard document, so it counts them too). `audit` is `cachedAuditDigest` for
 * the console's polled views; a verdict right after a run reads the database afresh.
 */
export async function dataFigures(db: Db, audit: (db: Db) => Promise<AuditDigest> = auditDigest): Promise<DataFigures> {
  const { documents, summary } = await audit(db);
  return { projects: documents.projects, dashboards: documents.dashboards, invalid_components: summary.error, warning_components: summary.warning };
}

/** A run judged from its history and the database as it is now (the CLI and the tests right after a run). */
export async function runVerdict(db: Db, runId: string, expected: { projects?: number } = {}): Promise<RunVerdict> {
  const [events, figures] = await Promise.all([runEvents(db, runId), dataFigures(db)]);
  const tally = tallyRun(events);
  return { run_id: runId, ...tally, ...figures, ...judge(tally, figures, expected.projects) };
}

import type { Db } from 'mongodb';
import { z } from 'zod';
import { auditDatabase } from '../audit/run-audit';
import { DASHBOARDS, PROJECTS } from '../db/collections';
import { combine, judgeLock, verdictSchema, type Judgement, type LockFigures, type Verdict } from './findings';
import { plural } from './plural';
import { runEvents } from './run-events';
import { runTallySchema, tallyRun, type RunTally } from './run-tally';

const count = z.number().int().nonnegative();

/** What the database holds now. */
export const dataFiguresSchema = z.object({ projects: count, dashboards: count, invalid_components: count, warning_components: count });
export type DataFigures = z.infer<typeof dataFiguresSchema>;

/** A run's tally with the database as it is now, and the verdict. */
export const runVerdictSchema = runTallySchema.extend({ run_id: z.string(), ...dataFiguresSchema.shape, ...verdictSchema.shape });
export type RunVerdict = z.infer<typeof runVerdictSchema>;

export async function dataFigures(db: Db): Promise<DataFigures> {
  const [projects, dashboards, audit] = await Promise.all([
    db.collection(PROJECTS).countDocuments(),
    db.collection(DASHBOARDS).countDocuments(),
    auditDatabase(db),
  ]);
  return { projects, dashboards, invalid_components: audit.summary.error, warning_components: audit.summary.warning };
}

export async function runVerdict(db: Db, runId: string, expected: { projects?: number } = {}): Promise<RunVerdict> {
  const [events, figures] = await Promise.all([runEvents(db, runId), dataFigures(db)]);
  const tally: RunTally = tallyRun(events);
  return { run_id: runId, ...tally, ...figures, ...judge(tally, figures, expected.projects) };
}

/** What the database says now: the data is whole and every component points at its DC. */
function judgeData(v: DataFigures, expectedProjects?: number): Judgement {
  const findings = [
    `${plural(v.projects, 'project')} persisted`,
    plural(v.dashboards, 'dashboard document'),
    plural(v.invalid_components, 'invalid component'),
  ];
  const problems: string[] = [];
  if (expectedProjects !== undefined && v.projects !== expectedProjects) problems.push(`expected ${expectedProjects} projects`);
  if (v.invalid_components > 0) problems.push('dashboard components point at the wrong data collections');
  return { findings, problems };
}

/** A run judged from its history alone (a past run: today's data says nothing about it). */
export function judgeRun(t: LockFigures): Verdict {
  return combine(judgeLock(t));
}

/** The latest run judged with the database as it is now. */
export function judge(t: LockFigures, data: DataFigures, expectedProjects?: number): Verdict {
  return combine(judgeLock(t), judgeData(data, expectedProjects));
}

/**
 * The verdict in words, with no database and no server module: the console, the drill report and
 * the browser's schemas (the drill result reuses verdictSchema) share it.
 */
import { z } from 'zod';
import { plural } from './plural';
import type { RunTally } from './run-tally';

/** Pass or fail, and why, in the words of the incident report. */
export const verdictSchema = z.object({ pass: z.boolean(), findings: z.array(z.string()) });
export type Verdict = z.infer<typeof verdictSchema>;

const count = z.number().int().nonnegative();

/** What the database holds now. */
export const dataFiguresSchema = z.object({ projects: count, dashboards: count, invalid_components: count, warning_components: count });
export type DataFigures = z.infer<typeof dataFiguresSchema>;

/** One reader's part of a verdict, in the incident report's words. */
export interface Judgement {
  findings: string[];
  /** What went wrong: any problem fails the verdict. */
  problems: string[];
  /** Findings that read best after everything else. */
  last?: string[];
}

/** The figures the lock's judgement reads (a tally, or its JSON with dates as strings). */
export type LockFigures = Pick<RunTally, 'acquired' | 'holders' | 'takeovers' | 'wipes' | 'skipped' | 'failed' | 'lost'>;

/**
 * What the history alone says: one holder at a time (extra grants only by takeover), at most one
 * wipe per holder, every worker finished. `failureReasons` name why workers failed, when known.
 */
export function judgeLock(t: LockFigures, failureReasons: readonly string[] = []): Judgement {
  const findings: string[] = [];
  const problems: string[] = [];
  const last: string[] = [];
  if (t.acquired === 0) findings.push(`No worker acquired the lock${t.skipped > 0 ? ' (the generation was already complete)' : ''}`);
  else if (t.acquired === 1) findings.push(`Only worker ${t.holders[0]} acquired the lock`);
  else findings.push(`${t.acquired} workers acquired the lock: ${t.holders.join(', ')}`);
  if (t.takeovers > 0) findings.push(`${plural(t.takeovers, 'takeover')} after lease expiry`);
  findings.push(plural(t.wipes, 'wipe'));
  const grantsWithoutExpiry = t.acquired - 1 - t.takeovers;
  if (grantsWithoutExpiry > 0) problems.push(`${plural(grantsWithoutExpiry, 'grant')} of the lock without an expired lease`);
  if (t.wipes > 1 + t.takeovers) problems.push(`${t.wipes} wipes in one run`);
  if (t.failed > 0) problems.push(`${plural(t.failed, 'worker')} failed${failureReasons.length > 0 ? `: ${failureReasons.join('; ')}` : ''}`);
  if (t.lost > t.takeovers) problems.push(`${plural(t.lost - t.takeovers, 'worker')} never finished`);
  else if (t.lost > 0) last.push(`${plural(t.lost, 'holder')} died and ${t.lost === 1 ? 'was' : 'were'} taken over`);
  return { findings, problems, last };
}

/** The incident report's order: every part's findings, then what reads best last, then every problem. */
export function combine(...parts: Judgement[]): Verdict {
  const problems = parts.flatMap((p) => p.problems);
  return { pass: problems.length === 0, findings: [...parts.flatMap((p) => p.findings), ...parts.flatMap((p) => p.last ?? []), ...problems] };
}

/** What the database says now: the data is whole and every component points at its DC. */
export function judgeData(v: DataFigures, expectedProjects?: number): Judgement {
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

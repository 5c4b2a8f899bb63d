import type { Db } from 'mongodb';
import { auditDatabase } from '../audit/run-audit';
import { DASHBOARDS, INIT_HISTORY, PROJECTS } from '../db/collections';
import { CONSOLE_EVENTS, type HistoryEvent, type HistoryEventName } from '../schemas/history';

/** What a run's history says, worker by worker. */
export interface RunTally {
  generations: string[];
  workers: number;
  /** Workers that were granted the lease (a takeover of an expired lease counts). */
  acquired: number;
  /** Workers that waited for the holder and then found the generation complete. */
  waited: number;
  /** Workers that found the generation already complete at boot. */
  skipped: number;
  /** Workers that ended with failed, wait-timeout or lease-lost. */
  failed: number;
  /** Workers with no final event: killed, or still running. */
  lost: number;
  wipes: number;
  takeovers: number;
  completions: number;
  /** From the first worker's boot to the last worker's final event. */
  elapsed_ms: number | null;
  started_at: Date | null;
  finished_at: Date | null;
  /** Workers granted the lease, in the order they got it. */
  holders: string[];
}

/** A run's tally with the database as it is now, and the verdict. */
export interface RunVerdict extends RunTally {
  run_id: string;
  projects: number;
  dashboards: number;
  invalid_components: number;
  warning_components: number;
  pass: boolean;
  /** The verdict in the words of the incident report. */
  findings: string[];
}

const FINAL: ReadonlySet<HistoryEventName> = new Set(['completed', 'ready', 'skipped-complete', 'failed', 'wait-timeout', 'lease-lost']);
const FAILED: ReadonlySet<HistoryEventName> = new Set(['failed', 'wait-timeout', 'lease-lost']);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Counts a run from its history, never from what workers believe. */
export function tallyRun(events: HistoryEvent[]): RunTally {
  const byWorker = new Map<string, HistoryEvent[]>();
  for (const e of events) {
    // An admin's action shows in the run's timeline; it is not a worker of the run.
    if (CONSOLE_EVENTS.includes(e.event)) continue;
    const list = byWorker.get(e.worker_id) ?? [];
    list.push(e);
    byWorker.set(e.worker_id, list);
  }
  let waited = 0;
  let skipped = 0;
  let failed = 0;
  let lost = 0;
  let lastFinal: Date | null = null;
  const holders: string[] = [];
  for (const [worker, list] of byWorker) {
    const names = new Set(list.map((e) => e.event));
    if (names.has('acquired')) holders.push(worker);
    const final = list.filter((e) => FINAL.has(e.event)).at(-1);
    if (!final) lost += 1;
    else if (FAILED.has(final.event)) failed += 1;
    else if (final.event === 'ready' && !names.has('acquired')) waited += 1;
    else if (final.event === 'skipped-complete' && !names.has('acquired')) skipped += 1;
    if (final && !FAILED.has(final.event) && (!lastFinal || final.at > lastFinal)) lastFinal = final.at;
  }
  const count = (name: HistoryEventName) => events.filter((e) => e.event === name).length;
  const startedAt = events.find((e) => e.event === 'boot')?.at ?? events[0]?.at ?? null;
  holders.sort((a, b) => firstAt(byWorker.get(a)!, 'acquired') - firstAt(byWorker.get(b)!, 'acquired'));
  return {
    workers: byWorker.size,
    acquired: holders.length,
    waited,
    skipped,
    failed,
    lost,
    wipes: count('wiped'),
    takeovers: count('takeover'),
    completions: count('completed'),
    holders,
    started_at: startedAt,
    finished_at: lastFinal,
    elapsed_ms: startedAt && lastFinal ? lastFinal.getTime() - startedAt.getTime() : null,
    generations: [...new Set(events.map((e) => e.generation))],
  };
}

function firstAt(list: HistoryEvent[], name: HistoryEventName): number {
  return list.find((e) => e.event === name)?.at.getTime() ?? Number.POSITIVE_INFINITY;
}

export async function runVerdict(db: Db, runId: string, expected: { projects?: number } = {}): Promise<RunVerdict> {
  const [events, projects, dashboards, audit] = await Promise.all([
    db.collection<HistoryEvent>(INIT_HISTORY).find({ run_id: runId }, { sort: { at: 1, _id: 1 } }).toArray(),
    db.collection(PROJECTS).countDocuments(),
    db.collection(DASHBOARDS).countDocuments(),
    auditDatabase(db),
  ]);
  const tally = tallyRun(events);
  const verdict: Omit<RunVerdict, 'pass' | 'findings'> = {
    run_id: runId,
    ...tally,
    projects,
    dashboards,
    invalid_components: audit.summary.error,
    warning_components: audit.summary.warning,
  };
  return { ...verdict, ...judge(verdict, expected.projects) };
}

interface Judgement {
  findings: string[];
  problems: string[];
  /** Findings that read best after everything else. */
  last?: string[];
}

/** What the history alone says: one holder at a time (extra grants only by takeover), one wipe per holder, everyone ready. */
function judgeLock(v: RunTally): Judgement {
  const findings: string[] = [];
  const problems: string[] = [];
  if (v.acquired === 0) findings.push('No worker acquired the lock (the generation was already complete)');
  else if (v.acquired === 1) findings.push(`Only worker ${v.holders[0]} acquired the lock`);
  else findings.push(`${v.acquired} workers acquired the lock: ${v.holders.join(', ')}`);
  if (v.takeovers > 0) findings.push(`${plural(v.takeovers, 'takeover')} after lease expiry`);
  if (v.acquired > 1 + v.takeovers) problems.push(`${v.acquired - 1 - v.takeovers} grants of the lock without an expired lease`);
  findings.push(plural(v.wipes, 'wipe'));
  if (v.wipes > 1 + v.takeovers) problems.push(`${v.wipes} wipes in one run`);
  if (v.failed > 0) problems.push(`${plural(v.failed, 'worker')} failed`);
  const last: string[] = [];
  if (v.lost > v.takeovers) problems.push(`${plural(v.lost - v.takeovers, 'worker')} never finished`);
  else if (v.lost > 0) last.push(`${plural(v.lost, 'holder')} died and ${v.lost === 1 ? 'was' : 'were'} taken over`);
  return { findings, problems, last };
}

/** What the database says now: the data is whole and every component points at its DC. */
function judgeData(v: Pick<RunVerdict, 'projects' | 'dashboards' | 'invalid_components'>, expectedProjects?: number): Judgement {
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

/** The incident report's order: who acquired, wipes, what persisted, then what went wrong. */
function combine(...parts: Judgement[]): { pass: boolean; findings: string[] } {
  const problems = parts.flatMap((p) => p.problems);
  const findings = [...parts.flatMap((p) => p.findings), ...parts.flatMap((p) => p.last ?? []), ...problems];
  return { pass: problems.length === 0, findings };
}

/** A run judged from its history alone (a past run: today's data says nothing about it). */
export function judgeRun(v: RunTally): { pass: boolean; findings: string[] } {
  return combine(judgeLock(v));
}

/** Pass means: one holder at a time (extra grants only by takeover), at most one wipe per holder, all ready, data whole. */
export function judge(v: Omit<RunVerdict, 'pass' | 'findings'>, expectedProjects?: number): { pass: boolean; findings: string[] } {
  return combine(judgeLock(v), judgeData(v, expectedProjects));
}

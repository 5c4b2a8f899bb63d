import type { Db } from 'mongodb';
import { auditDatabase } from '../audit/run-audit';
import { DASHBOARDS, DELTATABLES, INITIALIZATION, LOCK_ID, MULTIQC, PROJECTS } from '../db/collections';
import { idHex } from '../db/id-hex';
import { DONE_EVENTS, FAILED_EVENTS, FINAL_EVENTS } from '../history/final-events';
import { combine, judgeData, judgeLock, type DataFigures, type Judgement } from '../history/findings';
import { plural } from '../history/plural';
import { tallyRun } from '../history/run-tally';
import { readState } from '../init/state';
import type { HistoryEvent } from '../schemas/history';
import { drillTallySchema, type DrillAlgorithm, type DrillBreach, type DrillResult } from './types';

/** What the drill finds in the scratch database once every worker has exited. */
export interface DrillData {
  projectNames: string[];
  dashboards: number;
  /** data_collection_id (hex) of every registration document (deltatables and multiqc). */
  registrations: string[];
  invalidComponents: number;
  warningComponents: number;
  completionMarker: boolean;
}

export interface DrillExpectation {
  projects: number;
  dashboards: number;
  /** data_collection_id (hex) of every registration the seeds make. */
  registrations: string[];
}

export async function collectDrillData(db: Db, algorithm: DrillAlgorithm, generation: string): Promise<DrillData> {
  const [projects, dashboards, deltatables, multiqc, audit] = await Promise.all([
    db
      .collection(PROJECTS)
      .find({}, { projection: { name: 1 } })
      .toArray(),
    db.collection(DASHBOARDS).countDocuments(),
    db
      .collection(DELTATABLES)
      .find({}, { projection: { data_collection_id: 1 } })
      .toArray(),
    db
      .collection(MULTIQC)
      .find({}, { projection: { data_collection_id: 1 } })
      .toArray(),
    auditDatabase(db),
  ]);
  let completionMarker: boolean;
  if (algorithm === 'lease') {
    const state = await readState(db);
    completionMarker = state?.status === 'complete' && (state.generation === generation || (state.completed_generations ?? []).includes(generation));
  } else {
    // The platform's own marker: the lock document flagged complete.
    const lock = await db.collection<{ _id: string }>(INITIALIZATION).findOne({ _id: LOCK_ID, initialization_complete: true });
    completionMarker = lock !== null;
  }
  return {
    projectNames: projects.map((p) => String(p.name)),
    dashboards,
    registrations: [...deltatables, ...multiqc].map((r) => idHex(r.data_collection_id) ?? String(r.data_collection_id)),
    invalidComponents: audit.summary.error,
    warningComponents: audit.summary.warning,
    completionMarker,
  };
}

export interface DrillContext {
  algorithm: DrillAlgorithm;
  database: string;
  historyDatabase: string;
  kept: boolean;
  runId: string;
  generation: string;
  onTime: number;
  late: number;
  lateAfterMs: number;
  windowMs: number | null;
  pollMs: number;
  leaseMs: number | null;
  /** Process ids of the late starters. */
  latePids: ReadonlySet<number>;
  killed: string[];
  startupMs: number;
  exitCodes: Record<string, number>;
}

interface Grant {
  worker: string;
  pid: number;
  at: number;
  /** When this holder stopped believing it held the lock; Infinity when it never said (killed). */
  end: number;
  takeoverFrom: string | null;
  /** copy-drop-restore: from the drop to the re-insert of the copy (or the failed attempt). */
  window: { from: number; to: number } | null;
  restoreBlockedBy: string | null;
}

function grantsOf(events: HistoryEvent[]): Grant[] {
  const byWorker = new Map<string, HistoryEvent[]>();
  for (const e of events) byWorker.set(e.worker_id, [...(byWorker.get(e.worker_id) ?? []), e]);
  const grants: Grant[] = [];
  for (const [worker, list] of byWorker) {
    const acquired = list.find((e) => e.event === 'acquired');
    if (!acquired) continue;
    const after = list.filter((e) => e.at >= acquired.at);
    const end = after.find((e) => FINAL_EVENTS.has(e.event));
    const takeover = list.find((e) => e.event === 'takeover');
    const wiped = after.find((e) => e.event === 'wiped');
    const restored = after.find((e) => e.event === 'lock-preserved' && e.detail.restored === true);
    const conflict = after.find((e) => e.event === 'failed' && e.detail.restore_conflict === true);
    const windowEnd = restored ?? conflict;
    grants.push({
      worker,
      pid: acquired.pid,
      at: acquired.at.getTime(),
      end: end ? end.at.getTime() : Number.POSITIVE_INFINITY,
      takeoverFrom: takeover ? String(takeover.detail.from ?? '') : null,
      window: wiped && windowEnd ? { from: wiped.at.getTime(), to: windowEnd.at.getTime() } : null,
      restoreBlockedBy: conflict ? String(conflict.detail.deleted_lock_of ?? '') || null : null,
    });
  }
  return grants.sort((a, b) => a.at - b.at);
}

/**
 * Grants of the lock while an earlier holder was still at work (had not completed, failed or lost
 * its lease), one per grant, blamed on the holder whose drop-to-restore window it fell in, else on
 * the latest holder still at work. A takeover of an expired lease is not a breach: that is the
 * lease doing its job.
 */
export function findBreaches(events: HistoryEvent[], latePids: ReadonlySet<number>): DrillBreach[] {
  const grants = grantsOf(events);
  const wipers = new Set(events.filter((e) => e.event === 'wiped').map((e) => e.worker_id));
  const breaches: DrillBreach[] = [];
  for (const later of grants) {
    const active = grants.filter((earlier) => earlier !== later && earlier.at <= later.at && later.at < earlier.end && later.takeoverFrom !== earlier.worker);
    if (active.length === 0) continue;
    const inWindowOf = (earlier: Grant) =>
      earlier.window !== null && ((later.at >= earlier.window.from && later.at <= earlier.window.to) || earlier.restoreBlockedBy === later.worker);
    const windowed = active.filter(inWindowOf);
    const blamed = (windowed.length > 0 ? windowed : active).at(-1)!;
    const inWindow = windowed.length > 0;
    breaches.push({
      holder: blamed.worker,
      taken_by: later.worker,
      late: latePids.has(later.pid),
      in_window: inWindow,
      ms_into_window: inWindow && blamed.window ? Math.max(0, later.at - blamed.window.from) : null,
      wiped_again: wipers.has(later.worker),
    });
  }
  return breaches;
}

/** Turns the history and the data left behind into the drill's report: the run's verdict, and what only a drill can check. */
export function analyzeDrill(events: HistoryEvent[], data: DrillData, expected: DrillExpectation, ctx: DrillContext): DrillResult {
  const tally = drillTallySchema.parse(tallyRun(events));
  const breaches = findBreaches(events, ctx.latePids);

  const nameCounts = new Map<string, number>();
  for (const name of data.projectNames) nameCounts.set(name, (nameCounts.get(name) ?? 0) + 1);
  const duplicateProjects = [...nameCounts].filter(([, n]) => n > 1).map(([name]) => name);
  const registrationCounts = new Map<string, number>();
  for (const id of data.registrations) registrationCounts.set(id, (registrationCounts.get(id) ?? 0) + 1);
  const duplicateRegistrations = [...registrationCounts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const missingRegistrations = expected.registrations.filter((id) => !registrationCounts.has(id)).length;

  const wipeTimes = events.filter((e) => e.event === 'wiped').map((e) => e.at.getTime());
  const lastWipe = wipeTimes.length > 0 ? Math.max(...wipeTimes) : null;
  const readyTooEarly = new Set(events.filter((e) => DONE_EVENTS.has(e.event) && lastWipe !== null && e.at.getTime() < lastWipe).map((e) => e.worker_id));
  const cleanupDeletes = events
    .filter((e) => e.event === 'failed' && typeof e.detail.deleted_lock_of === 'string' && e.detail.deleted_lock_of !== e.worker_id)
    .map((e) => `${e.worker_id} deleted the lock of ${String(e.detail.deleted_lock_of)}`);
  const lateIds = new Set(events.filter((e) => ctx.latePids.has(e.pid)).map((e) => e.worker_id));
  const failureReasons = [...new Set(events.filter((e) => FAILED_EVENTS.has(e.event)).map((e) => String(e.detail.reason ?? e.event)))];

  // The console's judgement of the data (project count, invalid components), then what only a drill checks.
  const figures: DataFigures = {
    projects: data.projectNames.length,
    dashboards: data.dashboards,
    invalid_components: data.invalidComponents,
    warning_components: data.warningComponents,
  };
  const dataJudgement = judgeData(figures, expected.projects);
  const drillDataProblems: string[] = [];
  for (const name of duplicateProjects) drillDataProblems.push(`project "${name}" persisted ${nameCounts.get(name)} times`);
  if (data.dashboards !== expected.dashboards) drillDataProblems.push(`${plural(data.dashboards, 'dashboard document')}, expected ${expected.dashboards}`);
  if (duplicateRegistrations > 0) {
    drillDataProblems.push(
      `${plural(duplicateRegistrations, 'duplicate registration')} (deltatables/multiqc documents for a data collection already registered)`,
    );
  }
  if (missingRegistrations > 0) drillDataProblems.push(`${plural(missingRegistrations, 'data collection')} without a registration`);
  if (!data.completionMarker) {
    drillDataProblems.push(
      ctx.algorithm === 'lease'
        ? `init_state does not record generation ${ctx.generation} as complete`
        : 'no completion marker left in `initialization` (the lock went with a dropped database): the next worker to start wipes and seeds again',
    );
  }

  // What only a drill sees: when each grant fell, against the other holders' windows.
  const raceProblems: string[] = [];
  for (const b of breaches.filter((x) => x.in_window)) {
    raceProblems.push(
      `${b.late ? 'late starter' : 'worker'} ${b.taken_by} took the lock ${b.ms_into_window} ms into ${b.holder}'s drop-to-restore window${b.wiped_again ? ' and wiped again' : ''}`,
    );
  }
  const outsideWindow = breaches.filter((x) => !x.in_window);
  if (outsideWindow.length > 0) {
    raceProblems.push(`${plural(outsideWindow.length, 'grant')} of the lock while an earlier holder was still initializing`);
  }
  if (readyTooEarly.size > 0) {
    raceProblems.push(
      `${plural(readyTooEarly.size, 'worker')} reported ready or complete before a later wipe emptied the database under ${readyTooEarly.size === 1 ? 'it' : 'them'}`,
    );
  }
  raceProblems.push(...cleanupDeletes.map((c) => `${c} in its cleanup after a failed restore`));

  const lock = judgeLock(tally, failureReasons);
  const drill: Judgement = {
    findings: [
      ...(tally.elapsed_ms !== null ? [`every worker ready ${tally.elapsed_ms} ms after the first boot`] : []),
      ...(ctx.late > 0
        ? [`${plural(ctx.late, 'late starter')} released ${ctx.lateAfterMs} ms after the others${lateIds.size ? `: ${[...lateIds].join(', ')}` : ''}`]
        : []),
      ...(ctx.killed.length > 0 ? [`killed (SIGKILL) mid-seed: ${ctx.killed.join(', ')}`] : []),
    ],
    problems: [...drillDataProblems, ...raceProblems],
  };
  const verdict = combine(lock, dataJudgement, drill);

  return {
    algorithm: ctx.algorithm,
    database: ctx.database,
    history_database: ctx.historyDatabase,
    kept: ctx.kept,
    run_id: ctx.runId,
    generation: ctx.generation,
    workers: ctx.onTime + ctx.late,
    on_time: ctx.onTime,
    late: ctx.late,
    late_after_ms: ctx.lateAfterMs,
    window_ms: ctx.windowMs,
    poll_ms: ctx.pollMs,
    lease_ms: ctx.leaseMs,
    ...tally,
    ...figures,
    expected_projects: expected.projects,
    expected_dashboards: expected.dashboards,
    duplicate_projects: duplicateProjects,
    duplicate_registrations: duplicateRegistrations,
    missing_registrations: missingRegistrations,
    completion_marker: data.completionMarker,
    breaches,
    ready_before_last_wipe: readyTooEarly.size,
    locks_deleted_by_cleanup: cleanupDeletes,
    killed: ctx.killed,
    startup_ms: ctx.startupMs,
    exit_codes: ctx.exitCodes,
    ...verdict,
    data_problems: [...dataJudgement.problems, ...drillDataProblems],
    run_problems: [...lock.problems, ...raceProblems],
  };
}

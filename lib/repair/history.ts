import os from 'node:os';
import type { Db } from 'mongodb';
import { fromStored, toStored } from '../audit/stored-value';
import { INIT_HISTORY } from '../db/collections';
import { committed } from '../db/concerns';
import { ServerClock } from '../db/server-clock';
import { adminWorkerId } from '../history/admin-actions';
import { HistoryRecorder } from '../history/recorder';
import { APP_VERSION } from '../version';
import { componentOutcomeSchema, lastRepairSchema, type ComponentOutcome, type LastRepair } from './schemas';

type Loose = Record<string, unknown>;

/**
 * The history of a repair: one `repair` (or `repair-undone`) event per dashboard it touched, all
 * under the repair's run id, each with the admin and, per component, every field's before and
 * after. Values are kept as stored (ObjectIds as ObjectIds), so an undo writes back exactly what was there.
 */

function componentToBson(c: ComponentOutcome): Loose {
  return {
    ...c,
    location: { dashboard_id: fromStored(c.location.dashboard_id), index: fromStored(c.location.index), position: c.location.position },
    edits: c.edits.map((e) => ({ ...e, before: fromStored(e.before), after: fromStored(e.after) })),
  };
}

function componentFromBson(raw: unknown): ComponentOutcome {
  const c = (raw ?? {}) as Loose;
  const location = (c.location ?? {}) as Loose;
  const edits = Array.isArray(c.edits) ? (c.edits as Loose[]) : [];
  return componentOutcomeSchema.parse({
    ...c,
    location: { dashboard_id: toStored(location.dashboard_id), index: toStored(location.index), position: location.position },
    edits: edits.map((e) => ({ ...e, before: toStored(e.before), after: toStored(e.after) })),
  });
}

export interface RepairRecorder {
  dashboard(event: 'repair' | 'repair-undone', dashboard: { dashboard_id: string; title: string }, components: ComponentOutcome[]): Promise<void>;
}

/** Records a run's events as the admin `by` (the history's worker is `admin:<by>`), durably, like every history event. */
export async function repairRecorder(db: Db, runId: string, by: string): Promise<RepairRecorder> {
  const clock = new ServerClock(db);
  await clock.sync();
  const identity = { worker_id: adminWorkerId(by), host: os.hostname(), pid: process.pid, version: APP_VERSION };
  const recorder = new HistoryRecorder(db, clock, identity, { run_id: runId, generation: runId });
  return {
    dashboard: (event, dashboard, components) =>
      recorder.record(event, null, {
        by,
        dashboard_id: dashboard.dashboard_id,
        title: dashboard.title,
        applied: components.filter((c) => c.skipped === null).length,
        skipped: components.filter((c) => c.skipped !== null).length,
        components: components.map(componentToBson),
      }),
  };
}

/** The components a run's `repair` events say were applied, by dashboard, in the order they were recorded. */
export async function appliedByRun(db: Db, runId: string): Promise<Array<{ dashboard_id: string; title: string; components: ComponentOutcome[] }>> {
  const events = await db.collection(INIT_HISTORY).find({ run_id: runId, event: 'repair' }, committed()).sort({ at: 1, _id: 1 }).toArray();
  return events.map((e) => {
    const detail = (e.detail ?? {}) as Loose;
    const components = Array.isArray(detail.components) ? detail.components.map(componentFromBson) : [];
    return { dashboard_id: String(detail.dashboard_id), title: String(detail.title), components: components.filter((c) => c.skipped === null) };
  });
}

/** The last repair that applied something to a dashboard (all dashboards when none is named), and whether it was undone. */
export async function lastRepair(db: Db, dashboardId?: string): Promise<LastRepair | null> {
  const history = db.collection(INIT_HISTORY);
  const scope = dashboardId === undefined ? {} : { 'detail.dashboard_id': dashboardId.toLowerCase() };
  const [event] = await history
    .find({ event: 'repair', 'detail.applied': { $gt: 0 }, ...scope }, committed())
    .sort({ at: -1, _id: -1 })
    .limit(1)
    .toArray();
  if (!event) return null;
  const [all, undone] = await Promise.all([
    history.find({ run_id: event.run_id, event: 'repair' }, { ...committed(), projection: { 'detail.applied': 1 } }).toArray(),
    history.countDocuments({ run_id: event.run_id, event: 'repair-undone' }, committed()),
  ]);
  return lastRepairSchema.parse({
    run_id: event.run_id,
    at: (event.at as Date).toISOString(),
    by: String((event.detail as Loose).by),
    applied: all.reduce((n, e) => n + Number((e.detail as Loose | undefined)?.applied ?? 0), 0),
    undone: undone > 0,
  });
}

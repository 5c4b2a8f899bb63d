import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { updateComponent, type Direction } from './conditional-update';
import { repairRecorder } from './history';
import type { ComponentOutcome, RepairDashboard, RepairOutcome } from './schemas';

/** A repair's run id: sortable by time, unique, and recognisable in the history ("repair-…"). */
export function newRepairRunId(now = new Date()): string {
  return `repair-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Writes the dashboards' components one conditional update each, in order, and records each
 * dashboard's event as soon as its updates are done (a crash loses at most the record of the
 * dashboard in hand). Never touches a document the dashboards do not name.
 */
export async function runRepair(db: Db, dashboards: RepairDashboard[], options: { runId: string; by: string; direction: Direction }): Promise<RepairOutcome> {
  const event = options.direction === 'apply' ? 'repair' : 'repair-undone';
  const recorder = await repairRecorder(db, options.runId, options.by);
  const components: ComponentOutcome[] = [];
  for (const dashboard of dashboards) {
    const done: ComponentOutcome[] = [];
    for (const component of dashboard.components) {
      done.push({ ...component, dashboard_id: dashboard.dashboard_id, skipped: await updateComponent(db, component, options.direction) });
    }
    await recorder.dashboard(event, dashboard, done);
    components.push(...done);
  }
  const applied = components.filter((c) => c.skipped === null);
  return {
    kind: event,
    run_id: options.runId,
    database: db.databaseName,
    by: options.by,
    dashboards: dashboards.map(({ dashboard_id, title }) => ({ dashboard_id, title })),
    components,
    counts: {
      dashboards: dashboards.length,
      applied: applied.length,
      applied_edits: applied.reduce((n, c) => n + c.edits.length, 0),
      skipped: components.length - applied.length,
    },
  };
}

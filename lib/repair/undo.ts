import type { Db } from 'mongodb';
import { RepairInputError } from './errors';
import { appliedByRun } from './history';
import { runRepair } from './run-repair';
import type { RepairOutcome } from './schemas';

/**
 * Undoes a repair run from its history: every component it applied gets its before values back,
 * only where the document still holds the repair's after values (the same rule as applying).
 * Recorded as `repair-undone` events under the repair's own run id.
 */
export async function undoRepair(db: Db, runId: string, options: { by: string }): Promise<RepairOutcome> {
  const dashboards = (await appliedByRun(db, runId)).filter((d) => d.components.length > 0);
  if (dashboards.length === 0) throw new RepairInputError(`no repair run ${runId} with applied edits in the history`);
  return runRepair(db, dashboards, { runId, by: options.by, direction: 'undo' });
}

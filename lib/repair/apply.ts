import type { Db } from 'mongodb';
import { RepairInputError } from './errors';
import { newRepairRunId, runRepair } from './run-repair';
import { repairPlanSchema, type RepairOutcome } from './schemas';

/**
 * Applies a plan (parsed here: it may come from a file or a browser): per component, only where the
 * document still holds every value the plan was computed from; the rest is reported as skipped.
 */
export async function applyRepairPlan(db: Db, rawPlan: unknown, options: { by: string; runId?: string }): Promise<RepairOutcome> {
  const plan = repairPlanSchema.parse(rawPlan);
  if (plan.database !== db.databaseName) {
    throw new RepairInputError(`the plan was computed on database "${plan.database}", not "${db.databaseName}": nothing was applied`);
  }
  return runRepair(db, plan.dashboards, { runId: options.runId ?? newRepairRunId(), by: options.by, direction: 'apply' });
}

'use server';

import { z } from 'zod';
import { adminAction } from '@/app/_lib/actions';
import { refuse } from '@/lib/auth/action-guard';
import { applyRepairPlan } from '@/lib/repair/apply';
import { RepairInputError } from '@/lib/repair/errors';
import { repairPlanSchema, type RepairOutcome } from '@/lib/repair/schemas';

/**
 * Applies the plan the admin saw in the diff: each component only where it still holds what the
 * plan was computed from. The run id comes back, so the call shows in the repair's timeline.
 */
export const applyRepairAction = adminAction('repair-apply', z.object({ plan: repairPlanSchema }), async (input, { db, session }) => {
  try {
    const outcome: RepairOutcome = await applyRepairPlan(await db(), input.plan, { by: session.email });
    return { ok: true, run_id: outcome.run_id, outcome };
  } catch (error) {
    if (error instanceof RepairInputError) return refuse('invalid', `Nothing was applied: ${error.message}.`);
    throw error;
  }
});

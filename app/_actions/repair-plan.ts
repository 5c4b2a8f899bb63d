'use server';

import { adminAction } from '@/app/_lib/actions';
import { refuse } from '@/lib/auth/action-guard';
import { RepairInputError } from '@/lib/repair/errors';
import { buildRepairPlan } from '@/lib/repair/plan';
import { repairRequestSchema, type RepairPlan } from '@/lib/repair/schemas';

/**
 * The dry run a repair dialog shows: the suggested fixes of a dashboard (or one component), or a
 * bulk replace. An action rather than a GET route because only admins may see it; it writes
 * nothing but its call in the history.
 */
export const planRepairAction = adminAction('repair-plan', repairRequestSchema, async (input, { db }) => {
  try {
    const plan: RepairPlan = await buildRepairPlan(await db(), input);
    return { ok: true, plan };
  } catch (error) {
    if (error instanceof RepairInputError) return refuse('invalid', `No plan: ${error.message}.`);
    throw error;
  }
});

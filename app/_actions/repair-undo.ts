'use server';

import { adminAction } from '@/app/_lib/actions';
import { refuse } from '@/lib/auth/action-guard';
import { RepairInputError } from '@/lib/repair/errors';
import { undoInputSchema, type RepairOutcome } from '@/lib/repair/schemas';
import { undoRepair } from '@/lib/repair/undo';

/** Undoes a repair run: its before values back, only where its after values still are. */
export const undoRepairAction = adminAction('repair-undo', undoInputSchema, async (input, { db, session }) => {
  try {
    const outcome: RepairOutcome = await undoRepair(await db(), input.run_id, { by: session.email });
    return { ok: true, run_id: outcome.run_id, outcome };
  } catch (error) {
    if (error instanceof RepairInputError) return refuse('invalid', `Nothing was undone: ${error.message}.`);
    throw error;
  }
});

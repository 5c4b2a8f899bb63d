'use server';

import { adminAction } from '@/app/_lib/actions';
import { reseedInputSchema } from '@/lib/admin/schemas';
import { startRun } from '@/lib/admin/start-run';
import { refuse } from '@/lib/auth/action-guard';
import { config } from '@/lib/env';

/** Wipe and seed again, as a new generation under the workers' lock; answers with the run id at once. */
export const reseedAction = adminAction('reseed', reseedInputSchema, async (input, { session, db }) => {
  const cfg = config();
  if (input.confirm_database !== cfg.MONGODB_DB) {
    return refuse('invalid', `Nothing was done: type the database name, ${cfg.MONGODB_DB}, exactly to confirm the wipe.`);
  }
  return startRun(await db(), cfg, { kind: 'reseed', seenState: input.seen_state, requestedBy: session.email });
});

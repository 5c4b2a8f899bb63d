'use server';

import { adminAction } from '@/app/_lib/actions';
import { findSeededProject, UnknownProjectError } from '@/lib/admin/reseed-plan';
import { reseedProjectInputSchema } from '@/lib/admin/schemas';
import { startRun } from '@/lib/admin/start-run';
import { refuse } from '@/lib/auth/action-guard';
import { config } from '@/lib/env';
import { configuredSeeds } from '@/lib/init/prepare';
import { SeedValidationError } from '@/lib/seeds/errors';

/**
 * Reseeds one project (its seeded documents deleted and written again from its folder, users and
 * everything else kept) under the workers' lock; answers with the run id at once. The typed name
 * must be the project's name as its seed folder ships it.
 */
export const reseedProjectAction = adminAction('reseed-project', reseedProjectInputSchema, async (input, { session, db }) => {
  const cfg = config();
  let name: string;
  let seeds;
  try {
    seeds = await configuredSeeds(cfg);
    name = findSeededProject(seeds, input.project_id).project.name;
  } catch (error) {
    if (error instanceof SeedValidationError) return refuse('invalid', `Nothing was done: the seeds are not valid. ${error.message}`);
    if (error instanceof UnknownProjectError) return refuse('invalid', `Nothing was done: ${error.message}.`);
    throw error;
  }
  if (input.confirm_project !== name) {
    return refuse('invalid', `Nothing was done: type the project's name, ${name}, exactly to confirm the reseed.`);
  }
  return startRun(await db(), cfg, { kind: 'reseed-project', project: input.project_id, seenState: input.seen_state, requestedBy: session.email, seeds });
});

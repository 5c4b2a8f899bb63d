'use server';

import { z } from 'zod';
import { adminAction } from '@/app/_lib/actions';
import { reseedPlan, UnknownProjectError } from '@/lib/admin/reseed-plan';
import type { ReseedPlan } from '@/lib/admin/schemas';
import { refuse } from '@/lib/auth/action-guard';
import { config } from '@/lib/env';
import { SeedValidationError } from '@/lib/seeds/errors';

const planInputSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('all') }),
  z.object({ scope: z.literal('project'), project_id: z.string().regex(/^[0-9a-f]{24}$/i, { message: 'the project id must be 24 hex characters' }) }),
]);

/**
 * What a Reseed dialog shows before anything starts: the plan (lib/admin/reseed-plan.ts) for every
 * project or one. An action rather than a GET route because only admins may see it, and every
 * route answers viewers; it writes nothing but its call in the history.
 */
export const reseedPlanAction = adminAction('reseed-plan', planInputSchema, async (input, { db }) => {
  const cfg = config();
  try {
    const plan: ReseedPlan = await reseedPlan(await db(), cfg, input.scope === 'all' ? 'all' : { project: input.project_id });
    return { ok: true, plan };
  } catch (error) {
    if (error instanceof SeedValidationError) return refuse('invalid', `No reseed can start: the seeds are not valid. ${error.message}`);
    if (error instanceof UnknownProjectError) return refuse('invalid', `No plan: ${error.message}.`);
    throw error;
  }
});

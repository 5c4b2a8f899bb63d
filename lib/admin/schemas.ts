import { z } from 'zod';
import { wholeNumberSchema } from '../whole-number';

/**
 * The inputs of the console's admin actions. A run request names the state it was made from
 * (`seenStateKey`: the state's generation and fence, or "none"): the same state always means the
 * same run, so a double click, or two admins on two instances, start one.
 */
export const seenStateSchema = z
  .string({ message: 'the state you saw is required' })
  .regex(/^(none|[A-Za-z0-9][A-Za-z0-9._:-]{0,99}@\d{1,15})$/, { message: 'the state you saw must be "none" or "<generation>@<fence>"' });

export const reseedInputSchema = z.object({
  seen_state: seenStateSchema,
  /** The database's name, typed by the admin: a reseed wipes it. */
  confirm_database: z.string({ message: 'type the database name to confirm' }).max(100),
});
export type ReseedInput = z.infer<typeof reseedInputSchema>;

export const seedMissingInputSchema = z.object({ seen_state: seenStateSchema });
export type SeedMissingInput = z.infer<typeof seedMissingInputSchema>;

export const forceReleaseInputSchema = z.object({
  /** The fence the admin saw: the release happens only if the lock still has it. */
  fence: wholeNumberSchema({ min: 0, missing: 'the fence of the lock you saw is required' }),
  /** The lease expiry the admin saw: an expired lease renewed since is not released. */
  lease_expires_at: z.iso.datetime({ message: 'the lease expiry you saw is required (an ISO date)' }).transform((value) => new Date(value)),
  /** Required while the lease is live: the holder's worker id, typed by the admin. */
  confirm_worker_id: z.string().trim().max(200).optional(),
});
export type ForceReleaseInput = z.infer<typeof forceReleaseInputSchema>;

export const reseedProjectInputSchema = z.object({
  seen_state: seenStateSchema,
  /** The project's id (24 hex) as the Projects page lists it. */
  project_id: z.string().regex(/^[0-9a-f]{24}$/i, { message: 'the project id must be 24 hex characters' }),
  /** The project's name, typed by the admin: the reseed deletes that project's seeded documents. */
  confirm_project: z.string({ message: "type the project's name to confirm" }).max(200),
});
export type ReseedProjectInput = z.infer<typeof reseedProjectInputSchema>;

/** One collection in a reseed plan: what the run would delete, write, and leave as it is. */
export const planCollectionSchema = z.object({
  name: z.string(),
  delete: z.number().int().min(0),
  write: z.number().int().min(0),
  keep: z.number().int().min(0),
});

/**
 * What a reseed would do, before it does it: the CLI's `--plan` and the Reseed dialogs show this.
 * `notes` say plainly what is lost (every user dashboard and account, for a full reseed).
 */
export const reseedPlanSchema = z.object({
  scope: z.enum(['all', 'project']),
  database: z.string(),
  project: z.object({ id: z.string(), name: z.string(), folder: z.string() }).nullable(),
  collections: z.array(planCollectionSchema),
  /** The state the plan was computed from (`seenStateKey`): the run started from it is the one this plan describes. */
  seen_state: z.string(),
  notes: z.array(z.string()),
});
export type ReseedPlan = z.infer<typeof reseedPlanSchema>;

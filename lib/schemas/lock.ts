import { z } from 'zod';

/** Who holds the lease. */
export const holderSchema = z.object({
  worker_id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  version: z.string(),
  run_id: z.string(),
  generation: z.string(),
});
export type Holder = z.infer<typeof holderSchema>;

/**
 * The lock document, `initialization/_id: "init_lock"`. It is never deleted: release sets
 * `holder: null` and keeps `fence`. The platform's own field names are written too (and may be all a
 * lock written by the platform itself has), so the console can show either.
 */
export const lockSchema = z.looseObject({
  _id: z.literal('init_lock'),
  holder: holderSchema.nullable().optional(),
  fence: z.number().int().optional(),
  acquired_at: z.date().optional(),
  renewed_at: z.date().optional(),
  lease_expires_at: z.date().optional(),
  renewals: z.number().int().optional(),
  completed_generation: z.string().nullable().optional(),
  completed_generations: z.array(z.string()).optional(),
  released_at: z.date().nullable().optional(),
  released_by: z.string().nullable().optional(),
  /** Set when an admin released the lock by hand: who, and whose lease it was. */
  force_released_by: z.string().nullable().optional(),
  force_released_holder: z.string().nullable().optional(),
  worker_id: z.string().nullable().optional(),
  started_at: z.union([z.date(), z.string()]).nullable().optional(),
  initialization_in_progress: z.boolean().optional(),
  initialization_complete: z.boolean().optional(),
});
export type LockDoc = z.infer<typeof lockSchema>;

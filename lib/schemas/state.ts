import { z } from 'zod';

export const INIT_STATUSES = ['in-progress', 'complete', 'failed'] as const;

/** `initialization/_id: "init_state"`: what the last initialization did, for which generation. */
export const stateSchema = z.looseObject({
  _id: z.literal('init_state'),
  status: z.enum(INIT_STATUSES),
  generation: z.string(),
  run_id: z.string(),
  fence: z.number().int(),
  worker_id: z.string(),
  wipe: z.boolean(),
  seed_digest: z.string(),
  /** `replace` writes every seeded document, `missing` only the absent ones (older states: replace). */
  seed_mode: z.enum(['replace', 'missing']).optional(),
  /** The projects a run seeds; null or absent: all of them. */
  projects: z.array(z.string()).nullable().optional(),
  started_at: z.date(),
  completed_at: z.date().nullable().optional(),
  failed_at: z.date().nullable().optional(),
  error: z.string().nullable().optional(),
  counts: z.record(z.string(), z.number()).nullable().optional(),
  /** The index definitions in place (see INDEXES_VERSION). */
  indexes_version: z.string().optional(),
  /** The last generations completed here, newest last: a late worker of any of them skips. */
  completed_generations: z.array(z.string()).optional(),
});
export type InitState = z.infer<typeof stateSchema>;

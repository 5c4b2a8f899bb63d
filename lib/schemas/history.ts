import { z } from 'zod';

export type HistoryEventName = (typeof HISTORY_EVENTS)[number];

export const HISTORY_EVENTS = [
  'boot',
  'acquired',
  'takeover',
  'waiting',
  'ready',
  'skipped-complete',
  'wipe-started',
  'wiped',
  'lock-preserved',
  'seeded-project',
  'completed',
  'failed',
  'lease-renewed',
  'lease-lost',
  'released',
  'force-released',
  'wait-timeout',
  // An admin's call of a console action (reseed, seed missing, force-release), allowed or refused.
  'admin-action',
] as const;

/** Events an admin records, not a worker: they are not part of a run's worker tally. */
export const CONSOLE_EVENTS: readonly HistoryEventName[] = ['admin-action', 'force-released'];

/** One append-only `init_history` document. History survives every wipe. */
export const historyEventSchema = z.object({
  at: z.date(),
  run_id: z.string(),
  generation: z.string(),
  worker_id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  fence: z.number().int().nullable(),
  event: z.enum(HISTORY_EVENTS),
  detail: z.record(z.string(), z.unknown()),
});
export type HistoryEvent = z.infer<typeof historyEventSchema>;

import { z } from 'zod';
import { HISTORY_EVENTS, type HistoryEventName } from './history-events';

export { HISTORY_EVENTS, type HistoryEventName } from './history-events';

/** Events an admin records, not a worker: they are not part of a run's worker tally. */
export const CONSOLE_EVENTS: readonly HistoryEventName[] = ['admin-action', 'force-released', 'repair', 'repair-undone'];

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

import type { HistoryEventName } from '../schemas/history-events';

/** A worker's last word in a run: after one of these it records nothing more that counts. */
export const FINAL_EVENTS: ReadonlySet<HistoryEventName> = new Set(['completed', 'ready', 'skipped-complete', 'failed', 'wait-timeout', 'lease-lost']);

/** Final events of a worker that did not end with the generation complete. */
export const FAILED_EVENTS: ReadonlySet<HistoryEventName> = new Set(['failed', 'wait-timeout', 'lease-lost']);

/** Final events of a worker that saw the generation complete. */
export const DONE_EVENTS: ReadonlySet<HistoryEventName> = new Set([...FINAL_EVENTS].filter((e) => !FAILED_EVENTS.has(e)));

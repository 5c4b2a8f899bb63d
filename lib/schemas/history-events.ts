/**
 * The names of init_history events. Apart from the zod schema (history.ts) so that pages in the
 * browser can list them without shipping zod.
 */
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
  // A repair of dashboard DC mappings applied by an admin, and its undo: before and after per field.
  'repair',
  'repair-undone',
] as const;
export type HistoryEventName = (typeof HISTORY_EVENTS)[number];

import { z } from 'zod';
import { dataFiguresSchema, verdictSchema } from '../history/findings';
import { runTallySchema } from '../history/run-tally';
import { wholeNumberSchema } from '../whole-number';
import { DRILL_ALGORITHMS } from './algorithms';

/**
 * The race drill's shapes: what a drill is asked to do and what it reports, for the command line
 * and the console page alike.
 */

export { DRILL_ALGORITHMS, type DrillAlgorithm } from './algorithms';

/** How the old platform's waiting workers polled the lock (a model parameter; ours use INIT_POLL_MS). */
export const LEGACY_POLL_MS = 1_000;

/** The drill reports its own worker count (on time and late) and generation; no dates in a result that travels as JSON. */
export const drillTallySchema = runTallySchema.omit({ generations: true, workers: true, started_at: true, finished_at: true });

export const drillOptionsSchema = z.object({
  algorithm: z.enum(DRILL_ALGORITHMS),
  /** Workers released together. */
  workers: wholeNumberSchema({ min: 1, max: 128 }).default(8),
  /** Late starters, released `lateAfterMs` after the others. */
  late: wholeNumberSchema({ min: 0, max: 128 }).default(0),
  lateAfterMs: wholeNumberSchema({ min: 0, max: 600_000 }).default(100),
  /** copy-drop-restore only: pause between the drop and the re-insert of the lock's copy. */
  windowMs: wholeNumberSchema({ min: 0, max: 600_000 }).default(0),
  /** How often waiting workers look at the lock; default LEGACY_POLL_MS for the old algorithms, INIT_POLL_MS for lease. */
  pollMs: wholeNumberSchema({ min: 5, max: 60_000 }).optional(),
  /** lease only: the lease term (INIT_LEASE_MS). */
  leaseMs: wholeNumberSchema({ min: 300, max: 600_000 }).optional(),
  waitTimeoutMs: wholeNumberSchema({ min: 100, max: 3_600_000 }).default(120_000),
  /** Fault injection: SIGKILL the first worker that records `seeded-project`, paused there for `killPauseMs`. */
  killHolder: z.boolean().default(false),
  killPauseMs: wholeNumberSchema({ min: 0, max: 60_000 }).default(1_500),
  /** Keep the scratch database(s) for inspection instead of dropping them. */
  keep: z.boolean().default(false),
});
export type DrillOptions = z.input<typeof drillOptionsSchema>;
export type ResolvedDrillOptions = z.output<typeof drillOptionsSchema>;

/** A grant of the lock while another worker still believed it held it. */
export const drillBreachSchema = z.object({
  holder: z.string(),
  taken_by: z.string(),
  late: z.boolean(),
  /** copy-drop-restore: inside the holder's drop-to-restore window, and how far into it. */
  in_window: z.boolean(),
  ms_into_window: z.number().nullable(),
  /** The worker that took the lock went on to wipe the database. */
  wiped_again: z.boolean(),
});
export type DrillBreach = z.infer<typeof drillBreachSchema>;

export const drillResultSchema = z.object({
  algorithm: z.enum(DRILL_ALGORITHMS),
  database: z.string(),
  history_database: z.string(),
  kept: z.boolean(),
  run_id: z.string(),
  generation: z.string(),
  /** Every worker started: on time and late. */
  workers: z.number(),
  on_time: z.number(),
  late: z.number(),
  late_after_ms: z.number(),
  window_ms: z.number().nullable(),
  poll_ms: z.number(),
  lease_ms: z.number().nullable(),

  // The incident's verification tables: the run's tally (lib/history), then the data left behind
  // (the figures the console judges, lib/history) against what the seeds make.
  ...drillTallySchema.shape,
  ...dataFiguresSchema.shape,
  expected_projects: z.number(),
  expected_dashboards: z.number(),

  // What else went wrong, counted from the history and the database.
  duplicate_projects: z.array(z.string()),
  duplicate_registrations: z.number(),
  missing_registrations: z.number(),
  /** The database says initialization completed (our init_state, or the platform's lock flag). */
  completion_marker: z.boolean(),
  breaches: z.array(drillBreachSchema),
  /** Workers that reported ready or completed before a later wipe emptied the database under them. */
  ready_before_last_wipe: z.number(),
  /** Locks deleted by a failing worker's cleanup, by whose lock it was. */
  locks_deleted_by_cleanup: z.array(z.string()),
  killed: z.array(z.string()),
  startup_ms: z.number(),
  exit_codes: z.record(z.string(), z.number()),

  /** The run's verdict (lib/history), with what only a drill can check. */
  ...verdictSchema.shape,
  /** What is wrong in the data left behind. */
  data_problems: z.array(z.string()),
  /** What went wrong during the run. */
  run_problems: z.array(z.string()),
});
export type DrillResult = z.infer<typeof drillResultSchema>;

export const DRILL_PHASES = ['preparing', 'starting', 'running', 'counting', 'done'] as const;

/** Live progress while a drill runs (the console polls this). */
export const drillProgressSchema = z.object({
  algorithm: z.enum(DRILL_ALGORITHMS),
  phase: z.enum(DRILL_PHASES),
  database: z.string(),
  workers: z.number(),
  events: z.number(),
  acquired: z.number(),
  wipes: z.number(),
  finished: z.number(),
  elapsed_ms: z.number(),
});
export type DrillProgress = z.infer<typeof drillProgressSchema>;

// First: zod's compiled parsers off in the browser before any schema below is made.
import './jitless-zod';
import { z } from 'zod';
import { attentionSchema, dashboardDigestSchema } from '../audit/digest';
import { auditReportSchema } from '../audit/types';
import { TOPOLOGIES } from '../db/topology';
import { verdictSchema } from '../history/findings';
import { runTallySchema } from '../history/run-tally';
import { holderSchema } from '../schemas/lock';
import { HISTORY_EVENTS } from '../schemas/history-events';

/**
 * The JSON each console view sends to the browser: the one source of its shape for the loaders
 * (lib/console), the route handlers (app/api), the pages' prefetch, the browser (which parses every
 * answer with these) and the tests. Free of server modules so that the browser can import it.
 */

/** Dates travel as ISO 8601 strings (lib/console/json.ts `iso`), the same on the server and in the browser. */
const isoTime = z.string();

export const lockViewSchema = z.object({
  holder: holderSchema.nullable(),
  fence: z.number().nullable(),
  acquired_at: isoTime.nullable(),
  renewed_at: isoTime.nullable(),
  lease_expires_at: isoTime.nullable(),
  renewals: z.number().nullable(),
  released_at: isoTime.nullable(),
  released_by: z.string().nullable(),
  /** An admin released the lock by hand (the last release): who, and whose lease it was. */
  force_released_by: z.string().nullable(),
  force_released_holder: z.string().nullable(),
  completed_generation: z.string().nullable(),
  /** The platform's own fields: all a lock written by the platform itself has. */
  platform: z.object({
    worker_id: z.string().nullable(),
    started_at: isoTime.nullable(),
    initialization_in_progress: z.boolean().nullable(),
    initialization_complete: z.boolean().nullable(),
  }),
  /** Written by the platform, not by this console (no lease, no fence). */
  written_by_platform: z.boolean(),
});
export type LockView = z.infer<typeof lockViewSchema>;

export const stateViewSchema = z.object({
  status: z.enum(['in-progress', 'complete', 'failed']),
  generation: z.string(),
  run_id: z.string(),
  worker_id: z.string(),
  fence: z.number(),
  wipe: z.boolean(),
  seed_digest: z.string(),
  started_at: isoTime,
  completed_at: isoTime.nullable(),
  failed_at: isoTime.nullable(),
  error: z.string().nullable(),
  counts: z.record(z.string(), z.number()).nullable(),
});
export type StateView = z.infer<typeof stateViewSchema>;

export const eventViewSchema = z.object({
  id: z.string(),
  at: isoTime,
  run_id: z.string(),
  generation: z.string(),
  worker_id: z.string(),
  host: z.string(),
  pid: z.number(),
  fence: z.number().nullable(),
  event: z.enum(HISTORY_EVENTS),
  detail: z.record(z.string(), z.unknown()),
});
export type EventView = z.infer<typeof eventViewSchema>;

/** A run's figures from its history (lib/history/run-tally.ts), dates as ISO strings, with its verdict. */
export const runViewSchema = runTallySchema.extend({
  run_id: z.string(),
  started_at: isoTime.nullable(),
  finished_at: isoTime.nullable(),
  last_event_at: isoTime.nullable(),
  ...verdictSchema.shape,
  /** Some worker has no final event yet: still running, or killed. */
  unfinished: z.boolean(),
});
export type RunView = z.infer<typeof runViewSchema>;

/** The workers page's runs list: a page of runs, each with its events for the timeline. */
export const runsPageSchema = z.object({
  runs: z.array(runViewSchema.extend({ events: z.array(eventViewSchema) })),
  has_more: z.boolean(),
});
export type RunsPage = z.infer<typeof runsPageSchema>;

/** The workers page's events table: a page newest first, with the keyset cursors either side. */
export const eventsPageSchema = z.object({
  events: z.array(eventViewSchema),
  /** Older events follow (cursor for the next page), or null. */
  older: z.string().nullable(),
  /** Newer events precede (cursor for the previous page), or null. */
  newer: z.string().nullable(),
});
export type EventsPage = z.infer<typeof eventsPageSchema>;

export const collectionCountSchema = z.object({ name: z.string(), count: z.number() });

export const overviewViewSchema = z.object({
  /** The database server's time when this was read: the countdown runs from it. */
  server_time: isoTime,
  /** The lease is live on the database's clock (lib/lock/lease.ts leaseIsLive): the browser's clock never decides. */
  lease_live: z.boolean(),
  lock: lockViewSchema.nullable(),
  state: stateViewSchema.nullable(),
  last_run: runViewSchema.extend({ projects: z.number(), dashboards: z.number(), invalid_components: z.number() }).nullable(),
  collections: z.array(collectionCountSchema),
  /** The deployment `hello` described (lib/db/topology.ts): a standalone fences best-effort only. */
  topology: z.enum(TOPOLOGIES),
  /** Each wipe and seed batch runs in a transaction led by the lock write (replica set, sharded). */
  transactional_fencing: z.boolean(),
  /** A lease is held or the state is in progress: the console polls faster. */
  active: z.boolean(),
});
export type OverviewView = z.infer<typeof overviewViewSchema>;

/** The console's heartbeat: always answered, so the page can say which. */
export const statusViewSchema = z.object({
  reachable: z.boolean(),
  error: z.string().nullable(),
  active: z.boolean(),
});
export type StatusView = z.infer<typeof statusViewSchema>;

export const dcViewSchema = z.object({
  id: z.string(),
  tag: z.string(),
  description: z.string().nullable(),
  type: z.string(),
  metatype: z.string().nullable(),
  source: z.string().nullable(),
  columns: z.array(z.string()),
  /** Table DCs need a deltatable, MultiQC DCs a multiqc document; others need none. */
  registration: z.enum(['registered', 'missing', 'n/a']),
  used_by: z.array(z.object({ dashboard_id: z.string(), title: z.string(), components: z.number() })),
});
export type DcView = z.infer<typeof dcViewSchema>;

/**
 * Where a project came from: its seed folder, the latest `seeded-project` event for it (when and by
 * which run), and whether that folder's digest differs from the seeds as they are now.
 */
export const projectSeedSchema = z.object({
  /** Relative to SEEDS_DIR: as the latest seeding recorded it, else as the current seeds ship it; null when no folder ships it. */
  folder: z.string().nullable(),
  last_seeded: z.object({ at: isoTime, run_id: z.string() }).nullable(),
  /**
   * `unchanged` / `changed`: the recorded digest against the folder's digest now; `unknown`: no
   * digest recorded (never seeded, or before digests were recorded); `removed`: the seeds no longer
   * ship it; `unreadable`: the seeds do not load; `not-from-folder`: nothing says it came from one.
   */
  folder_state: z.enum(['unchanged', 'changed', 'unknown', 'removed', 'unreadable', 'not-from-folder']),
});
export type ProjectSeed = z.infer<typeof projectSeedSchema>;

export const projectViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  project_type: z.string().nullable(),
  is_public: z.boolean(),
  owners: z.array(z.string()),
  registration_time: isoTime.nullable(),
  workflows: z.array(z.object({ id: z.string(), name: z.string(), tag: z.string().nullable(), engine: z.string().nullable(), dcs: z.array(dcViewSchema) })),
  seed: projectSeedSchema,
});
export type ProjectView = z.infer<typeof projectViewSchema>;

export const projectsViewSchema = z.object({ projects: z.array(projectViewSchema) });
export type ProjectsView = z.infer<typeof projectsViewSchema>;

/** The dashboards pages show the DC mapping audit as it is (lib/audit/types.ts). */
export const auditViewSchema = auditReportSchema;

/** The dashboards list (lib/console/dashboards-query.ts): one keyset page of audit digests, the summary above it and the filter menus. */
export const dashboardsListViewSchema = z.object({
  rows: z.array(dashboardDigestSchema),
  /** Dashboards matching the filters, on every page. */
  matched: z.number(),
  total: z.number(),
  /** Cursors for the page after the last row and before the first, or null at either end. */
  next: z.string().nullable(),
  prev: z.string().nullable(),
  summary: auditReportSchema.shape.summary,
  /** Broken components of the whole database by reason: the "needs attention" summary. */
  attention: z.array(attentionSchema),
  choices: z.object({ projects: z.array(z.object({ id: z.string(), name: z.string() })), owners: z.array(z.string()) }),
});
export type DashboardsListView = z.infer<typeof dashboardsListViewSchema>;

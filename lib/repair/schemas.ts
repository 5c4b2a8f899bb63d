import { z } from 'zod';
import { componentLocationSchema, FIX_FIELDS, storedValueSchema, type ComponentLocation } from '../audit/types';
import { OBJECT_ID_HEX } from '../schemas/object-id-hex';

/**
 * The one shape of a repair: the plan the CLI writes to a file, the server action returns and the
 * diff dialog shows, and that `--apply` and the apply action take back. Every edit names the exact
 * stored value it was computed from; applying matches on it.
 */

export const repairEditSchema = z.object({
  field: z.enum(FIX_FIELDS),
  before: storedValueSchema,
  after: storedValueSchema,
  reason: z.string(),
});
export type RepairEdit = z.infer<typeof repairEditSchema>;

/** One component's edits: applied together, by one conditional update, or not at all. */
export const repairComponentSchema = z
  .object({
    location: componentLocationSchema,
    tab_title: z.string(),
    component_type: z.string(),
    title: z.string().nullable(),
    edits: z.array(repairEditSchema).min(1),
  })
  .refine((c) => new Set(c.edits.map((e) => e.field)).size === c.edits.length, { message: 'a field is edited twice in one component', path: ['edits'] });
export type RepairComponent = z.infer<typeof repairComponentSchema>;

export const repairDashboardSchema = z.object({
  /** The dashboard (its main tab's id, as text); its components may be in child tab documents. */
  dashboard_id: z.string(),
  title: z.string(),
  components: z.array(repairComponentSchema).min(1),
});
export type RepairDashboard = z.infer<typeof repairDashboardSchema>;

export const REPLACE_FIELDS = ['dc_id', 'wf_id'] as const;

/** "Every component in any dashboard whose `field` is `from` → `to`." `from` may be any stored id (a legacy `A--B` too). */
export const replaceSchema = z.object({
  field: z.enum(REPLACE_FIELDS),
  from: z.string().trim().min(1, 'say which id to replace'),
  to: z.string().trim().regex(OBJECT_ID_HEX, 'the new id must be a 24-hex ObjectId'),
});
export type Replace = z.infer<typeof replaceSchema>;

/** What a plan is asked for: bulk replaces, or the audit's suggested fixes (of one dashboard, or one component of it). */
export const repairRequestSchema = z
  .object({
    dashboard_id: z.string().trim().min(1).optional(),
    component_index: z.string().trim().min(1).optional(),
    replace: z.array(replaceSchema).max(20).default([]),
    suggested: z.boolean().default(false),
  })
  .refine((r) => r.suggested || r.replace.length > 0, { message: 'ask for suggested fixes or a replace' })
  .refine((r) => r.component_index === undefined || r.dashboard_id !== undefined, {
    message: 'a component is named within its dashboard',
    path: ['component_index'],
  });
export type RepairRequest = z.input<typeof repairRequestSchema>;

/** A finding the audit knows no fix for: shown with the plan, never applied. */
export const unfixedSchema = z.object({
  dashboard_id: z.string(),
  tab_title: z.string(),
  component_type: z.string(),
  title: z.string().nullable(),
  index: z.string(),
  looked_at: z.array(z.string()),
});

const countsSchema = z.object({
  dashboards: z.number().int().nonnegative(),
  components: z.number().int().nonnegative(),
  edits: z.number().int().nonnegative(),
});

const locationKey = (l: ComponentLocation) => JSON.stringify([l.dashboard_id, l.position]);

export const repairPlanSchema = z
  .object({
    kind: z.literal('repair-plan'),
    /** The database it was computed on: applying it to another one is refused. */
    database: z.string(),
    created_at: z.string(),
    request: z.object({
      dashboard_id: z.string().nullable(),
      component_index: z.string().nullable(),
      replace: z.array(replaceSchema),
      suggested: z.boolean(),
    }),
    dashboards: z.array(repairDashboardSchema),
    unfixed: z.array(unfixedSchema),
    counts: countsSchema,
  })
  .superRefine((plan, ctx) => {
    const components = plan.dashboards.flatMap((d) => d.components);
    const expected = { dashboards: plan.dashboards.length, components: components.length, edits: components.reduce((n, c) => n + c.edits.length, 0) };
    if (JSON.stringify(expected) !== JSON.stringify(plan.counts)) {
      ctx.addIssue({ code: 'custom', path: ['counts'], message: `counts disagree with the edits (${JSON.stringify(expected)})` });
    }
    if (new Set(components.map((c) => locationKey(c.location))).size !== components.length) {
      ctx.addIssue({ code: 'custom', path: ['dashboards'], message: 'a component appears twice in the plan' });
    }
  });
export type RepairPlan = z.infer<typeof repairPlanSchema>;

/** One component as a run left it: applied, or skipped with the reason. */
export const componentOutcomeSchema = repairComponentSchema.and(
  z.object({
    dashboard_id: z.string(),
    /** Null when applied; else why not (the document changed since the plan, or is gone). */
    skipped: z.string().nullable(),
  }),
);
export type ComponentOutcome = z.infer<typeof componentOutcomeSchema>;

/** What an apply or an undo did. */
export const repairOutcomeSchema = z.object({
  kind: z.enum(['repair', 'repair-undone']),
  run_id: z.string(),
  database: z.string(),
  by: z.string(),
  dashboards: z.array(z.object({ dashboard_id: z.string(), title: z.string() })),
  components: z.array(componentOutcomeSchema),
  counts: z.object({
    dashboards: z.number().int(),
    applied: z.number().int(),
    applied_edits: z.number().int(),
    skipped: z.number().int(),
  }),
});
export type RepairOutcome = z.infer<typeof repairOutcomeSchema>;

export const REPAIR_RUN_ID = /^repair-[\w-]{1,80}$/;

export const undoInputSchema = z.object({ run_id: z.string().trim().regex(REPAIR_RUN_ID, 'a repair run id starts with "repair-"') });

/** The last repair that touched a dashboard, for its "undo" control. */
export const lastRepairSchema = z.object({
  run_id: z.string(),
  at: z.string(),
  by: z.string(),
  applied: z.number().int(),
  undone: z.boolean(),
});
export type LastRepair = z.infer<typeof lastRepairSchema>;

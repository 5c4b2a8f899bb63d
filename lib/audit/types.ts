// First: zod must be jitless in the browser before any schema is made (see jitless-zod.ts).
import '../console/jitless-zod';
import { z } from 'zod';
import { OBJECT_ID_HEX } from '../schemas/object-id-hex';

export const AUDIT_STATUSES = ['valid', 'warning', 'error', 'n/a'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/**
 * A value exactly as the document stores it, JSON-safe: an ObjectId as `{ $oid }` (as Extended JSON
 * writes it), anything else as is. A repair matches on it, so the stored type must survive the JSON.
 */
export const storedValueSchema = z.union([z.object({ $oid: z.string().regex(OBJECT_ID_HEX) }).strict(), z.string(), z.number(), z.boolean(), z.null()]);
export type StoredValue = z.infer<typeof storedValueSchema>;

/**
 * Where a component is stored, precisely enough for a conditional update: the `_id` of the dashboard
 * document holding it (a child tab is its own document), as stored; its `stored_metadata[*].index`,
 * as stored; its position in `stored_metadata`.
 */
export const componentLocationSchema = z.object({
  dashboard_id: storedValueSchema,
  index: storedValueSchema,
  position: z.number().int().nonnegative(),
});
export type ComponentLocation = z.infer<typeof componentLocationSchema>;

/** The component fields a suggested fix may change, as paths inside the component. */
export const FIX_FIELDS = ['dc_id', 'wf_id', 'dc_config._id'] as const;
export type FixField = (typeof FIX_FIELDS)[number];

/**
 * One proposed edit of one field, from evidence in the document and the database. `before` is the
 * exact stored value (match on it); `after` is the value to write, in the same stored form as
 * `before` (an ObjectId stays an ObjectId); `after: null` unbinds (a text tile's dc_id).
 */
export const suggestedFixSchema = z.object({
  field: z.enum(FIX_FIELDS),
  before: storedValueSchema,
  after: storedValueSchema,
  reason: z.string(),
  confidence: z.enum(['high', 'medium']),
});
export type SuggestedFix = z.infer<typeof suggestedFixSchema>;

/**
 * What the audit proposes for a component with findings: the fixes (applied together, in order),
 * or "no fix known" with what was looked at. Null on a component without findings.
 */
export const componentSuggestionSchema = z.discriminatedUnion('none', [
  z.object({ none: z.literal(false), location: componentLocationSchema, fixes: z.array(suggestedFixSchema).min(1) }),
  z.object({ none: z.literal(true), looked_at: z.array(z.string()).min(1) }),
]);
export type ComponentSuggestion = z.infer<typeof componentSuggestionSchema>;

/** One component of one tab, as the report shows it. */
export const componentRowSchema = z.object({
  index: z.string(),
  component_type: z.string(),
  title: z.string().nullable(),
  tab_id: z.string(),
  tab_title: z.string(),
  /** As stored: a 24-hex id, the legacy A--B form, or whatever else was there, as text. */
  dc_id: z.string().nullable(),
  dc_tag: z.string().nullable(),
  /** The project the DC belongs to (not necessarily the dashboard's). */
  project_id: z.string().nullable(),
  project_name: z.string().nullable(),
  workflow: z.string().nullable(),
  status: z.enum(AUDIT_STATUSES),
  reasons: z.array(z.string()),
  /** Where it is stored, for a repair that names it. */
  location: componentLocationSchema,
  suggestion: componentSuggestionSchema.nullable(),
});
export type ComponentRow = z.infer<typeof componentRowSchema>;

export const tabReportSchema = z.object({
  id: z.string(),
  title: z.string(),
  tab_order: z.number(),
  is_main_tab: z.boolean(),
  parent_id: z.string().nullable(),
  problems: z.array(z.string()),
});
export type TabReport = z.infer<typeof tabReportSchema>;

export const countsSchema = z.object({
  components: z.number(),
  valid: z.number(),
  warning: z.number(),
  error: z.number(),
  na: z.number(),
});
export type AuditCounts = z.infer<typeof countsSchema>;

/** A dashboard: its main tab and its child tabs, validated together. */
export const dashboardReportSchema = z.object({
  id: z.string(),
  title: z.string(),
  project_id: z.string().nullable(),
  project_name: z.string().nullable(),
  tabs: z.array(tabReportSchema),
  components: z.array(componentRowSchema),
  counts: countsSchema,
});
export type DashboardReport = z.infer<typeof dashboardReportSchema>;

export const auditReportSchema = z.object({
  dashboards: z.array(dashboardReportSchema),
  summary: countsSchema.extend({ dashboards: z.number() }),
});
export type AuditReport = z.infer<typeof auditReportSchema>;

export function emptyCounts(): AuditCounts {
  return { components: 0, valid: 0, warning: 0, error: 0, na: 0 };
}

export function addStatus(counts: AuditCounts, status: AuditStatus): void {
  counts.components += 1;
  counts[status === 'n/a' ? 'na' : status] += 1;
}

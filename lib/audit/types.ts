import { z } from 'zod';

export const AUDIT_STATUSES = ['valid', 'warning', 'error', 'n/a'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

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

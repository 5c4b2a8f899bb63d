// First: zod must be jitless in the browser before any schema is made (see jitless-zod.ts).
import '../console/jitless-zod';
import { z } from 'zod';
import { countsSchema, type DashboardReport } from './types';

/**
 * A dashboard's audit without its component rows: what the dashboards list filters, sorts and
 * shows. 10,000 of these fit in a few MB; 10,000 full reports (200k rows) would not be worth
 * holding in a cache. Free of server modules so that the browser can parse it.
 */
export const DIGEST_STATUSES = ['errors', 'warnings', 'clean'] as const;
export type DigestStatus = (typeof DIGEST_STATUSES)[number];

export const dashboardDigestSchema = z.object({
  id: z.string(),
  title: z.string(),
  project_id: z.string().nullable(),
  project_name: z.string().nullable(),
  /** The main tab's owners (emails, or ids when a stored owner has no email). */
  owners: z.array(z.string()),
  tabs: z.number(),
  counts: countsSchema,
  /** The worst status among its components (n/a counts as clean). */
  status: z.enum(DIGEST_STATUSES),
  /** Broken components per `<status>: <reason kind>` (`reasonKind`). */
  reasons: z.record(z.string(), z.number()),
  /** The main tab's `last_saved_ts`, as stored (the platform stamps it on every save). */
  last_saved: z.string().nullable(),
});
export type DashboardDigest = z.infer<typeof dashboardDigestSchema>;

/** The broken components of the whole database for one reason kind: the "needs attention" summary. */
export const attentionSchema = z.object({
  /** `<status>: <reason kind>`: what the list's `reason` filter takes. */
  key: z.string(),
  status: z.enum(['error', 'warning']),
  reason: z.string(),
  components: z.number(),
  dashboards: z.number(),
});
export type Attention = z.infer<typeof attentionSchema>;

/**
 * A reason with what varies between dashboards taken out (ids, quoted names, numbers), so that
 * "dc_id 65f… matches no data collection" on two dashboards is one kind. Derived from the words
 * the audit already writes, so a reason added or reworded there needs nothing here.
 */
export function reasonKind(reason: string): string {
  return reason
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\b[0-9a-fA-F]{24}(?:--[0-9a-fA-F]{24})?\b/g, '<id>')
    .replace(/\bDC (?!<id>)[^\s,()]+/g, 'DC …')
    .replace(/\b\d+\b/g, 'N')
    .replace(/\([^()]*<id>[^()]*\)/g, '(<id>)');
}

export function digestStatus(counts: DashboardReport['counts']): DigestStatus {
  return counts.error > 0 ? 'errors' : counts.warning > 0 ? 'warnings' : 'clean';
}

/** The digest of one audited dashboard; `extra` is what the report does not carry (owners, last save). */
export function digestDashboard(report: DashboardReport, extra: { owners: string[]; last_saved: string | null }): DashboardDigest {
  const reasons: Record<string, number> = {};
  for (const row of report.components) {
    if (row.status !== 'error' && row.status !== 'warning') continue;
    // A component counts once per kind, however many of its reasons share it.
    for (const kind of new Set(row.reasons.map(reasonKind))) {
      const key = `${row.status}: ${kind}`;
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
  }
  return {
    id: report.id,
    title: report.title,
    project_id: report.project_id,
    project_name: report.project_name,
    owners: extra.owners,
    tabs: report.tabs.length,
    counts: report.counts,
    status: digestStatus(report.counts),
    reasons,
    last_saved: extra.last_saved,
  };
}

/** Broken components per reason kind over every dashboard, most components first. */
export function attentionSummary(dashboards: readonly DashboardDigest[]): Attention[] {
  const byReason = new Map<string, Attention>();
  for (const d of dashboards) {
    for (const [key, components] of Object.entries(d.reasons)) {
      let entry = byReason.get(key);
      if (!entry) {
        const status = key.startsWith('error: ') ? 'error' : 'warning';
        entry = { key, status, reason: key.slice(status.length + 2), components: 0, dashboards: 0 };
        byReason.set(key, entry);
      }
      entry.components += components;
      entry.dashboards += 1;
    }
  }
  return [...byReason.values()].sort(
    (a, b) => Number(a.status === 'warning') - Number(b.status === 'warning') || b.components - a.components || (a.key < b.key ? -1 : 1),
  );
}

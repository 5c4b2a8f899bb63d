import { ObjectId, type Db, type Document } from 'mongodb';
import { DASHBOARDS, DELTATABLES, PROJECTS } from '../db/collections';
import { auditDashboardsAsync } from './audit-dashboards';
import { buildDcIndex, idHex } from './dc-index';
import { NO_DC_MATCH } from './validate-component';
import type { AuditCounts, AuditReport, DashboardReport } from './types';

/** Dashboards in audit order: grouped by main tab, main tab first, child tabs by tab_order. */
function dashboardsInGroups(db: Db, match: Document) {
  return db.collection(DASHBOARDS).aggregate(
    [
      { $match: match },
      { $addFields: { _audit_group: { $ifNull: ['$parent_dashboard_id', '$_id'] } } },
      { $sort: { _audit_group: 1, parent_dashboard_id: 1, tab_order: 1 } },
    ],
    { allowDiskUse: true },
  );
}

async function matchFor(db: Db, dashboardId: string | undefined): Promise<Document> {
  if (!dashboardId) return {};
  const ids: unknown[] = [dashboardId];
  if (ObjectId.isValid(dashboardId) && /^[0-9a-f]{24}$/i.test(dashboardId)) ids.push(new ObjectId(dashboardId));
  // Asked for a child tab: audit its whole dashboard.
  const doc = await db.collection(DASHBOARDS).findOne({ _id: { $in: ids } } as Document, { projection: { parent_dashboard_id: 1 } });
  const main = doc?.parent_dashboard_id ?? doc?._id ?? ids.at(-1);
  return { $or: [{ _id: main }, { parent_dashboard_id: main }] };
}

/**
 * Audits the dashboards of a database: one query for the projects (DCs are embedded), one for the
 * registrations, one cursor over the dashboards. Ids that match nothing the index knows are looked
 * up once more among dashboards at the end (a stale seed pointed a dc_id at a dashboard's id).
 */
export async function auditDatabase(db: Db, options: { dashboardId?: string } = {}): Promise<AuditReport> {
  const [projects, deltatables] = await Promise.all([
    db.collection(PROJECTS).find({}).toArray(),
    db
      .collection(DELTATABLES)
      .find({}, { projection: { data_collection_id: 1, 'aggregation.aggregation_columns_specs.name': 1 } })
      .toArray(),
  ]);
  const index = buildDcIndex(projects, { deltatables });
  const dashboards: DashboardReport[] = [];
  for await (const report of auditDashboardsAsync(index, dashboardsInGroups(db, await matchFor(db, options.dashboardId)))) {
    dashboards.push(report);
  }
  await nameDashboardIds(db, dashboards);
  return { dashboards, summary: summarize(dashboards) };
}

async function nameDashboardIds(db: Db, dashboards: DashboardReport[]): Promise<void> {
  const unknown = new Set<string>();
  for (const d of dashboards) for (const row of d.components) for (const r of row.reasons) {
    const match = NO_DC_MATCH.exec(r);
    if (match) unknown.add(match[1]!);
  }
  if (unknown.size === 0) return;
  const found = await db
    .collection(DASHBOARDS)
    .find({ _id: { $in: [...unknown].flatMap((hex) => [new ObjectId(hex), hex]) } } as Document, { projection: { title: 1 } })
    .toArray();
  const titles = new Map(found.map((d) => [idHex(d._id)!, String(d.title ?? '')]));
  for (const d of dashboards) for (const row of d.components) {
    row.reasons = row.reasons.map((r) => {
      const hex = NO_DC_MATCH.exec(r)?.[1];
      return hex && titles.has(hex) ? `${r}: it is the id of dashboard "${titles.get(hex)}"` : r;
    });
  }
}

export function summarize(dashboards: DashboardReport[]): AuditCounts & { dashboards: number } {
  const summary = { dashboards: dashboards.length, components: 0, valid: 0, warning: 0, error: 0, na: 0 };
  for (const d of dashboards) {
    summary.components += d.counts.components;
    summary.valid += d.counts.valid;
    summary.warning += d.counts.warning;
    summary.error += d.counts.error;
    summary.na += d.counts.na;
  }
  return summary;
}

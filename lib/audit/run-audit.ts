import { ObjectId, type Db, type Document } from 'mongodb';
import { DASHBOARDS, DELTATABLES, PROJECTS } from '../db/collections';
import { OBJECT_ID_HEX } from '../schemas/object-id-hex';
import { auditDashboardsAsync, idKey, type DashboardLookup } from './audit-dashboards';
import { buildDcIndex, PROJECT_PROJECTION } from './dc-index';
import { digestDashboard, type DashboardDigest } from './digest';
import { storedIdText } from './validate-component';
import type { AuditCounts, AuditReport, DashboardReport } from './types';

export class DashboardNotFoundError extends Error {
  constructor(readonly dashboardId: string) {
    super(`no dashboard with id ${dashboardId}`);
    this.name = 'DashboardNotFoundError';
  }
}

/** The stored forms an id may have: as given, as lowercase hex, as an ObjectId. */
function idForms(id: string): unknown[] {
  return OBJECT_ID_HEX.test(id) ? [...new Set([id, id.toLowerCase()]), new ObjectId(id)] : [id];
}

/** The fields of a dashboard tab the audit reads. */
const DASHBOARD_PROJECTION = {
  title: 1,
  project_id: 1,
  parent_dashboard_id: 1,
  tab_order: 1,
  'permissions.owners': 1,
  stored_metadata: 1,
  // Not audited: the digest shows it (the dashboards list).
  last_saved_ts: 1,
} as const;

/**
 * Dashboard tabs with the tabs of each dashboard together: sorted by the id of the dashboard they
 * belong to (the parent's, or their own), normalized to text so that ids stored as ObjectIds and as
 * hex strings group together. `groupKey` in audit-dashboards.ts reads this key.
 */
function dashboardsInGroups(db: Db, match: Document) {
  return db
    .collection(DASHBOARDS)
    .aggregate(
      [
        { $match: match },
        { $project: DASHBOARD_PROJECTION },
        { $addFields: { _audit_group: { $toLower: { $toString: { $ifNull: ['$parent_dashboard_id', '$_id'] } } } } },
        { $sort: { _audit_group: 1, _id: 1 } },
      ],
      { allowDiskUse: true },
    );
}

/** One dashboard (asked for by its main tab's id or any of its tabs'): its main tab and child tabs. */
async function matchFor(db: Db, dashboardId: string | undefined): Promise<Document> {
  if (dashboardId === undefined) return {};
  const doc = await db.collection(DASHBOARDS).findOne({ _id: { $in: idForms(dashboardId) } } as Document, { projection: { parent_dashboard_id: 1 } });
  if (!doc) throw new DashboardNotFoundError(dashboardId);
  const main = doc.parent_dashboard_id ?? doc._id;
  const forms = idForms(storedIdText(main) ?? '');
  return { $or: [{ _id: { $in: forms } }, { parent_dashboard_id: { $in: forms } }] };
}

function dashboardLookup(db: Db): DashboardLookup {
  return async (ids) => {
    const found = await db
      .collection(DASHBOARDS)
      .find({ _id: { $in: ids.flatMap(idForms) } } as Document, { projection: { title: 1, parent_dashboard_id: 1 } })
      .toArray();
    return new Map(
      found.map((d) => [idKey(d._id), { title: typeof d.title === 'string' ? d.title : idKey(d._id), parentId: storedIdText(d.parent_dashboard_id) }]),
    );
  };
}

/**
 * Audits the dashboards of a database (all, or the one `dashboardId` names): one query for the
 * projects (DCs are embedded), one for the table registrations, one cursor over the dashboards.
 * Only a dashboard with ids that are no DC's costs one more query, to say what those ids are.
 */
export async function auditDatabase(db: Db, options: { dashboardId?: string } = {}): Promise<AuditReport> {
  const match = await matchFor(db, options.dashboardId);
  const { index } = await readDcIndex(db);
  const dashboards: DashboardReport[] = [];
  for await (const report of auditDashboardsAsync(index, dashboardsInGroups(db, match), dashboardLookup(db))) {
    dashboards.push(report);
  }
  return { dashboards, summary: summarize(dashboards) };
}

/** The DC index from one query of the projects and one of the table registrations. */
async function readDcIndex(db: Db) {
  const [projects, deltatables] = await Promise.all([
    db.collection(PROJECTS).find({}, { projection: PROJECT_PROJECTION }).toArray(),
    db
      .collection(DELTATABLES)
      .find({}, { projection: { data_collection_id: 1, 'aggregation.aggregation_columns_specs.name': 1 } })
      .toArray(),
  ]);
  return { index: buildDcIndex(projects, { deltatables }), projects: projects.length };
}

/** Every dashboard's audit as a digest (no component rows), with the figures a verdict reads. */
export interface AuditDigest {
  dashboards: DashboardDigest[];
  summary: AuditReport['summary'];
  /** Documents read: projects, and dashboard documents (main and child tabs). */
  documents: { projects: number; dashboards: number };
}

function ownerNames(doc: Document): string[] {
  const owners: unknown = doc.permissions?.owners;
  if (!Array.isArray(owners)) return [];
  return owners.flatMap((o: Document | null) => {
    const name = typeof o?.email === 'string' ? o.email : storedIdText(o?._id);
    return name ? [name] : [];
  });
}

/**
 * The whole database's audit, kept small: the same single pass as `auditDatabase`, each report
 * reduced to its digest as it comes, the main tab's owners and last save taken from the stream.
 */
export async function auditDigest(db: Db): Promise<AuditDigest> {
  const { index, projects } = await readDcIndex(db);
  const extras = new Map<string, { owners: string[]; last_saved: string | null }>();
  let documents = 0;
  const tapped = (async function* () {
    for await (const doc of dashboardsInGroups(db, {})) {
      documents += 1;
      if (doc.parent_dashboard_id === null || doc.parent_dashboard_id === undefined) {
        extras.set(String(doc._audit_group), { owners: ownerNames(doc), last_saved: typeof doc.last_saved_ts === 'string' ? doc.last_saved_ts : null });
      }
      yield doc;
    }
  })();
  const dashboards: DashboardDigest[] = [];
  for await (const report of auditDashboardsAsync(index, tapped, dashboardLookup(db))) {
    // The group key is the main tab's id as lowercase text (dashboardsInGroups' _audit_group).
    const key = report.id.toLowerCase();
    dashboards.push(digestDashboard(report, extras.get(key) ?? { owners: [], last_saved: null }));
    extras.delete(key);
  }
  return { dashboards, summary: summarize(dashboards), documents: { projects, dashboards: documents } };
}

export function summarize(dashboards: Iterable<Pick<DashboardReport, 'counts'>>): AuditCounts & { dashboards: number } {
  const summary = { dashboards: 0, components: 0, valid: 0, warning: 0, error: 0, na: 0 };
  for (const d of dashboards) {
    summary.dashboards += 1;
    summary.components += d.counts.components;
    summary.valid += d.counts.valid;
    summary.warning += d.counts.warning;
    summary.error += d.counts.error;
    summary.na += d.counts.na;
  }
  return summary;
}

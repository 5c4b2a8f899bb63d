import type { Db, Document } from 'mongodb';
import { idKey } from '../audit/audit-dashboards';
import type { DcIndex } from '../audit/dc-index';
import type { StoredValue } from '../audit/types';
import { inFormOf, toStored } from '../audit/stored-value';
import { DASHBOARDS } from '../db/collections';
import { RepairInputError } from './errors';
import type { RepairComponent, RepairDashboard, RepairEdit, Replace } from './schemas';
import { idForms } from './stored-value';

type Loose = Record<string, unknown>;
const asObject = (value: unknown): Loose | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : null);

/** The dashboard documents (main tab and child tabs) of the dashboard any of its tabs' ids names. */
export async function dashboardMatch(db: Db, dashboardId: string): Promise<{ mainId: string; match: Document }> {
  const doc = await db.collection(DASHBOARDS).findOne({ _id: { $in: idForms(dashboardId) } } as Document, { projection: { parent_dashboard_id: 1 } });
  if (!doc) throw new RepairInputError(`no dashboard with id ${dashboardId}`);
  const mainId = idKey(doc.parent_dashboard_id ?? doc._id);
  const forms = idForms(mainId);
  return { mainId, match: { $or: [{ _id: { $in: forms } }, { parent_dashboard_id: { $in: forms } }] } };
}

/** What the new id is, for the edit's reason; a target that is no DC (no workflow) is refused: never write a new broken id. */
function targetName(replace: Replace, index: DcIndex): string {
  const to = replace.to.toLowerCase();
  if (replace.field === 'dc_id') {
    const dc = index.dcs.get(to);
    if (!dc) throw new RepairInputError(`${replace.to} is not the id of a data collection in this database: nothing to replace dc_id ${replace.from} with`);
    return `DC ${dc.tag}`;
  }
  const workflow = index.workflows.get(to);
  if (!workflow) throw new RepairInputError(`${replace.to} is not the id of a workflow in this database: nothing to replace wf_id ${replace.from} with`);
  return `workflow ${workflow.name}`;
}

const matches = (stored: unknown, from: string) => stored !== null && stored !== undefined && idKey(stored) === from.toLowerCase();

/** The edits of one component for one replace: the field, and for dc_id a `dc_config._id` snapshot that named the same id. */
function componentEdits(component: Loose, replace: Replace, name: string): RepairEdit[] {
  if (!matches(component[replace.field], replace.from)) return [];
  const reason = `bulk replace: ${replace.field} ${replace.from} → ${replace.to} (${name})`;
  const edit = (field: RepairEdit['field'], before: StoredValue): RepairEdit => ({ field, before, after: inFormOf(before, replace.to), reason });
  const edits = [edit(replace.field, toStored(component[replace.field]))];
  const snapshot = asObject(component.dc_config);
  if (replace.field === 'dc_id' && snapshot && matches(snapshot._id, replace.from)) edits.push(edit('dc_config._id', toStored(snapshot._id)));
  return edits;
}

/**
 * Every component, in every dashboard (or in the one `dashboardId` names), whose `dc_id` (or
 * `wf_id`) is `from`, with the edits that make it `to`. One query finds the documents; titles of
 * main tabs come from one more.
 */
export async function replacePlanParts(db: Db, replace: Replace, index: DcIndex, dashboardId?: string): Promise<RepairDashboard[]> {
  const name = targetName(replace, index);
  const scope = dashboardId === undefined ? {} : (await dashboardMatch(db, dashboardId)).match;
  const docs = await db
    .collection(DASHBOARDS)
    .find({ ...scope, [`stored_metadata.${replace.field}`]: { $in: idForms(replace.from) } } as Document, {
      projection: { title: 1, parent_dashboard_id: 1, tab_order: 1, stored_metadata: 1 },
    })
    .toArray();
  const byDashboard = new Map<string, { tabs: typeof docs }>();
  for (const doc of docs) {
    const key = idKey(doc.parent_dashboard_id ?? doc._id);
    const entry = byDashboard.get(key) ?? { tabs: [] };
    entry.tabs.push(doc);
    byDashboard.set(key, entry);
  }
  const mains = await db
    .collection(DASHBOARDS)
    .find({ _id: { $in: [...byDashboard.keys()].flatMap(idForms) } } as Document, { projection: { title: 1 } })
    .toArray();
  const titles = new Map(mains.map((m) => [idKey(m._id), typeof m.title === 'string' ? m.title : idKey(m._id)]));

  const dashboards: RepairDashboard[] = [];
  for (const [dashboardKey, { tabs }] of [...byDashboard].sort(([a], [b]) => a.localeCompare(b))) {
    tabs.sort((a, b) => Number(a.parent_dashboard_id != null) - Number(b.parent_dashboard_id != null) || (a.tab_order ?? 0) - (b.tab_order ?? 0));
    const components: RepairComponent[] = [];
    for (const tab of tabs) {
      const stored: unknown[] = Array.isArray(tab.stored_metadata) ? tab.stored_metadata : [];
      stored.forEach((raw, position) => {
        const component = asObject(raw);
        const edits = component ? componentEdits(component, replace, name) : [];
        if (!component || edits.length === 0) return;
        components.push({
          location: { dashboard_id: toStored(tab._id), index: toStored(component.index), position },
          tab_title: typeof tab.title === 'string' ? tab.title : idKey(tab._id),
          component_type: typeof component.component_type === 'string' ? component.component_type : 'unknown',
          title: typeof component.title === 'string' ? component.title : null,
          edits,
        });
      });
    }
    if (components.length > 0)
      dashboards.push({ dashboard_id: dashboardKey, title: titles.get(dashboardKey) ?? `(missing parent dashboard ${dashboardKey})`, components });
  }
  return dashboards;
}

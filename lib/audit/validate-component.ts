import { ObjectId } from 'mongodb';
import { componentColumns } from '../schemas/component-columns';
import { canSee, idHex, joinKey, type DashboardRef, type DcIndex, type ProjectInfo } from './dc-index';
import type { ComponentRow, StoredValue } from './types';

export interface DashboardOwner {
  id: string | null;
  email: string | null;
  isAdmin: boolean;
}

export interface TabContext {
  tabId: string;
  /** The tab document's `_id` as stored, where a repair finds its components; `tabId` when not given. */
  tabStoredId?: StoredValue;
  tabTitle: string;
  /** The tab's project (hex), when the tab names a valid one. */
  projectId: string | null;
  /** The users who open the dashboard as its owners: the platform shows them only the projects they may see. */
  owners: readonly DashboardOwner[];
  /** A problem of the whole tab (its parent or its project is missing) that every component inherits. */
  tabProblem: string | null;
  /** Dashboards looked up by id for this dashboard's stray ids (dc_ids that are no DC's). */
  dashboards: ReadonlyMap<string, DashboardRef>;
}

type Loose = Record<string, unknown>;

/** Component types that show no data collection. */
const NO_DC_TYPES = new Set(['text']);

/** The stored value of an id as text for the report, whatever its type. */
export function storedIdText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof ObjectId) return value.toHexString();
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** A stored value in its JSON-safe form (ObjectIds as `{ $oid }`); a missing value is null. */
export function toStored(value: unknown): StoredValue {
  if (value instanceof ObjectId) return { $oid: value.toHexString() };
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return storedIdText(value);
}

/** The ids in a component that may need a look-up among dashboards: a 24-hex dc_id that is no DC's. */
export function strayDcId(raw: unknown, index: DcIndex): string | null {
  const dcId = (raw as Loose | null)?.dc_id;
  const hex = dcId === null || dcId === undefined ? null : idHex(dcId);
  return hex && !index.dcs.has(hex) ? hex : null;
}

/** What an id that is not a DC's id is instead, in words; null when nothing known has it. */
export function describeOtherId(hex: string, index: DcIndex, dashboards: ReadonlyMap<string, DashboardRef>): string | null {
  const what: string[] = [];
  const project = index.projects.get(hex);
  if (project) what.push(`project "${project.name}"`);
  const workflow = index.workflows.get(hex);
  if (workflow) what.push(`workflow "${workflow.name}" of project "${index.projects.get(workflow.projectId)?.name ?? workflow.projectId}"`);
  const dashboard = dashboards.get(hex);
  if (dashboard) what.push(`${dashboard.parentId ? 'dashboard tab' : 'dashboard'} "${dashboard.title}"`);
  return what.length > 0 ? `it is the id of ${what.join(' and of ')}, not of a data collection` : null;
}

function legacyReason(stored: string, index: DcIndex): string {
  const parts = stored.split('--');
  const hexes = parts.map(idHex);
  const tags = parts.map((part, i) => index.dcs.get(hexes[i] ?? '')?.tag ?? `unknown ${JSON.stringify(part)}`);
  const join = hexes.every((h) => h !== null) ? index.joins.get(joinKey(hexes as string[])) : undefined;
  const fix = join ? `point the component at the join DC ${join.tag} (${join.id})` : 'point the component at the join DC of these DCs';
  return `dc_id "${stored}" is the legacy joined form A--B (${tags.join(' + ')}), which is no longer accepted: ${fix}`;
}

/** Why an owner of the dashboard would not see the DC's project, or null when every owner does. */
function visibilityProblem(dcHex: string, project: ProjectInfo, owners: readonly DashboardOwner[]): string | null {
  if (project.isPublic || project.members.has('*')) return null;
  const platform = `the platform answers "No projects containing Data Collection id ${dcHex} found for the current user"`;
  if (owners.length === 0) return `the dashboard has no owner and project "${project.name}" is not public: ${platform}`;
  const blind = owners.filter((owner) => !canSee(project, owner));
  if (blind.length === 0) return null;
  const who = blind.map((o) => o.email ?? o.id ?? 'an owner without id').join(', ');
  return `the dashboard's owner ${who} cannot see project "${project.name}" (not public, not a member, not an admin): ${platform}`;
}

/** Errors first, then warnings; the status is the worst of them. */
function finish(row: ComponentRow, errors: string[] | null, warnings: string[] | null, noDc: boolean): ComponentRow {
  row.reasons = errors && warnings ? errors.concat(warnings) : (errors ?? warnings ?? []);
  row.status = errors ? 'error' : warnings ? 'warning' : noDc ? 'n/a' : 'valid';
  return row;
}

/**
 * Validates one component against the data collection it names. Every rule that fails adds a
 * reason in plain words naming the offending value; the status is the worst of them.
 */
export function validateComponent(raw: unknown, tab: TabContext, index: DcIndex, position = 0): ComponentRow {
  const c = (raw !== null && typeof raw === 'object' ? raw : {}) as Loose;
  const type = typeof c.component_type === 'string' ? c.component_type : 'unknown';
  const stored = c.dc_id;
  const dcHex = stored === null || stored === undefined ? null : idHex(stored);
  // Allocated on the first reason only: most components have none.
  let errors: string[] | null = tab.tabProblem ? [tab.tabProblem] : null;
  let warnings: string[] | null = null;
  const row: ComponentRow = {
    index: typeof c.index === 'string' ? c.index : (storedIdText(c.index) ?? ''),
    component_type: type,
    title: typeof c.title === 'string' ? c.title : null,
    tab_id: tab.tabId,
    tab_title: tab.tabTitle,
    dc_id: stored instanceof ObjectId ? dcHex : storedIdText(stored),
    dc_tag: null,
    project_id: null,
    project_name: null,
    workflow: null,
    status: 'valid',
    reasons: [],
    location: { dashboard_id: tab.tabStoredId ?? tab.tabId, index: toStored(c.index), position },
    suggestion: null,
  };

  if (stored === null || stored === undefined) {
    if (NO_DC_TYPES.has(type)) return finish(row, errors, warnings, true);
    (errors ??= []).push(`dc_id is ${stored === null ? 'null' : 'missing'}: a ${type} component needs a data collection`);
    return finish(row, errors, warnings, false);
  }
  if (NO_DC_TYPES.has(type)) {
    (warnings ??= []).push(
      `a ${type} component shows no data, yet is bound to dc_id ${row.dc_id} (a seeding step that forced every dc_id does this; it should be null)`,
    );
  }
  if (typeof stored === 'string' && stored.includes('--')) {
    (errors ??= []).push(legacyReason(stored, index));
    return finish(row, errors, warnings, false);
  }
  if (!dcHex) {
    (errors ??= []).push(`dc_id ${JSON.stringify(row.dc_id)} is not an ObjectId or a 24-hex id`);
    return finish(row, errors, warnings, false);
  }
  const dc = index.dcs.get(dcHex);
  if (!dc) {
    const other = describeOtherId(dcHex, index, tab.dashboards);
    (errors ??= []).push(`dc_id ${dcHex} matches no data collection${other ? `: ${other}` : ''}`);
    return finish(row, errors, warnings, false);
  }

  const dcProject = index.projects.get(dc.projectId)!;
  const workflow = index.workflows.get(dc.workflowId);
  row.dc_tag = dc.tag;
  row.project_id = dc.projectId;
  row.project_name = dcProject.name;
  row.workflow = workflow?.name ?? null;

  if (tab.projectId && dc.projectId !== tab.projectId) {
    const own = index.projects.get(tab.projectId);
    (errors ??= []).push(
      `DC ${dc.tag} (${dcHex}) belongs to project "${dcProject.name}", not to this dashboard's project ${own ? `"${own.name}"` : tab.projectId}`,
    );
  }
  const hidden = visibilityProblem(dcHex, dcProject, tab.owners);
  if (hidden) (errors ??= []).push(hidden);

  const wf = c.wf_id;
  if (wf !== undefined && wf !== null) {
    const wfHex = idHex(wf);
    if (wfHex !== dc.workflowId) {
      const named = wfHex ? index.workflows.get(wfHex) : undefined;
      (warnings ??= []).push(
        `wf_id ${storedIdText(wf)}${named ? ` (${named.name})` : ''} is not the workflow of DC ${dc.tag}, which is ${dc.workflowId}${workflow ? ` (${workflow.name})` : ''}`,
      );
    }
  }
  if (typeof c.data_collection_tag === 'string' && c.data_collection_tag !== dc.tag) {
    (warnings ??= []).push(`snapshot tag "${c.data_collection_tag}" disagrees with DC ${dcHex}, whose tag is "${dc.tag}"`);
  }
  const snapshot = c.dc_config !== null && typeof c.dc_config === 'object' ? (c.dc_config as Loose) : null;
  if (snapshot) {
    if (snapshot._id !== undefined && idHex(snapshot._id) !== dcHex) {
      (warnings ??= []).push(`dc_config._id ${storedIdText(snapshot._id)} disagrees with dc_id ${dcHex}`);
    }
    if (typeof snapshot.data_collection_tag === 'string' && snapshot.data_collection_tag !== dc.tag) {
      (warnings ??= []).push(`dc_config tag "${snapshot.data_collection_tag}" disagrees with DC ${dcHex}, whose tag is "${dc.tag}"`);
    }
    if (typeof snapshot.type === 'string' && snapshot.type !== dc.type) {
      (warnings ??= []).push(`dc_config type "${snapshot.type}" disagrees with DC ${dc.tag}, whose type is "${dc.type}"`);
    }
  }
  if (dc.columns && (c.column_name !== undefined || c.dict_kwargs !== undefined)) {
    for (const use of componentColumns(c)) {
      if (!dc.columns.has(use.column)) (warnings ??= []).push(`column "${use.column}" (${use.field}) is not a column of DC ${dc.tag} (${dcHex})`);
    }
  }
  if (dc.type === 'table' && !dc.registered) {
    (warnings ??= []).push(`table DC ${dc.tag} (${dcHex}) has no deltatable registration yet: its data cannot be loaded`);
  }
  return finish(row, errors, warnings, false);
}

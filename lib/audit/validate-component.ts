import { ObjectId } from 'mongodb';
import { componentColumns } from '../schemas/component-columns';
import { canSee, idHex, type DcIndex } from './dc-index';
import type { AuditStatus, ComponentRow } from './types';

export interface TabContext {
  tabId: string;
  tabTitle: string;
  /** The dashboard's project (hex), when the dashboard names one. */
  projectId: string | null;
  /** The dashboard's first owner: the user whose view of projects the platform applies. */
  owner: { id: string | null; isAdmin: boolean } | null;
  /** A problem of the whole tab (its parent is missing) that every component inherits. */
  tabProblem: string | null;
}

type Loose = Record<string, unknown>;

/** Component types that show no data collection. */
const NO_DC_TYPES = new Set(['text']);

/** The stored dc_id as text for the report, whatever its type. */
export function storedIdText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof ObjectId) return value.toHexString();
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** The reason for an id nothing in the index knows; the database audit names dashboards it finds for it. */
export const noDcMatch = (hex: string) => `dc_id ${hex} matches no data collection`;
export const NO_DC_MATCH = /^dc_id ([0-9a-f]{24}) matches no data collection$/;

/** What an id that is not a DC's id is instead, in words, as far as the index knows. */
export function describeOtherId(hex: string, index: DcIndex): string | null {
  const project = index.projects.get(hex);
  if (project) return `it is the id of project "${project.name}"`;
  const workflow = index.workflows.get(hex);
  if (workflow) return `it is the id of workflow "${workflow.name}"`;
  return null;
}

/**
 * Validates one component against the data collection it names. Every rule that fails adds a
 * reason in plain words; the status is the worst of them.
 */
export function validateComponent(raw: unknown, tab: TabContext, index: DcIndex): ComponentRow {
  const c = (raw !== null && typeof raw === 'object' ? raw : {}) as Loose;
  const type = typeof c.component_type === 'string' ? c.component_type : 'unknown';
  const errors: string[] = [];
  const warnings: string[] = [];
  const row: ComponentRow = {
    index: typeof c.index === 'string' ? c.index : storedIdText(c.index) ?? '',
    component_type: type,
    title: typeof c.title === 'string' ? c.title : null,
    tab_id: tab.tabId,
    tab_title: tab.tabTitle,
    dc_id: storedIdText(c.dc_id),
    dc_tag: null,
    project_id: null,
    project_name: null,
    workflow: null,
    status: 'valid',
    reasons: [],
  };
  if (tab.tabProblem) errors.push(tab.tabProblem);

  const finish = (ok: AuditStatus): ComponentRow => {
    row.reasons = [...errors, ...warnings];
    row.status = errors.length > 0 ? 'error' : warnings.length > 0 ? 'warning' : ok;
    return row;
  };

  if (c.dc_id === null || c.dc_id === undefined) {
    if (NO_DC_TYPES.has(type)) return finish('n/a');
    errors.push(`no dc_id: a ${type} component needs a data collection`);
    return finish('valid');
  }
  if (NO_DC_TYPES.has(type)) {
    warnings.push(`a ${type} component shows no data, yet names dc_id ${row.dc_id} (a seeding step that forces every dc_id does this)`);
  }
  if (typeof c.dc_id === 'string' && c.dc_id.includes('--')) {
    errors.push(`dc_id "${c.dc_id}" is the legacy joined form A--B, which is no longer accepted: point at the join DC`);
    return finish('valid');
  }
  const dcHex = idHex(c.dc_id);
  if (!dcHex) {
    errors.push(`dc_id ${JSON.stringify(row.dc_id)} is not an ObjectId or a 24-hex id`);
    return finish('valid');
  }
  const dc = index.dcs.get(dcHex);
  if (!dc) {
    const other = describeOtherId(dcHex, index);
    errors.push(other ? `${noDcMatch(dcHex)}: ${other}` : noDcMatch(dcHex));
    return finish('valid');
  }

  const dcProject = index.projects.get(dc.projectId)!;
  const workflow = index.workflows.get(dc.workflowId);
  row.dc_tag = dc.tag;
  row.project_id = dc.projectId;
  row.project_name = dcProject.name;
  row.workflow = workflow?.name ?? null;

  if (tab.projectId && dc.projectId !== tab.projectId) {
    const own = index.projects.get(tab.projectId);
    errors.push(
      `DC ${dc.tag} (${dcHex}) belongs to project "${dcProject.name}", not to this dashboard's project ${own ? `"${own.name}"` : tab.projectId}`,
    );
  }
  if (!canSee(dcProject, tab.owner)) {
    errors.push(
      `the dashboard's owner cannot see project "${dcProject.name}": the platform answers "No projects containing Data Collection id ${dcHex} found for the current user"`,
    );
  }

  if (c.wf_id !== undefined && c.wf_id !== null) {
    const wfHex = idHex(c.wf_id);
    if (wfHex !== dc.workflowId) {
      warnings.push(`wf_id ${storedIdText(c.wf_id)} is not the workflow of DC ${dc.tag} (${dc.workflowId}${workflow ? `, ${workflow.name}` : ''})`);
    }
  }
  if (typeof c.data_collection_tag === 'string' && c.data_collection_tag !== dc.tag) {
    warnings.push(`snapshot tag "${c.data_collection_tag}" disagrees with DC ${dcHex}, whose tag is "${dc.tag}"`);
  }
  const snapshot = c.dc_config !== null && typeof c.dc_config === 'object' ? (c.dc_config as Loose) : null;
  if (snapshot) {
    if (snapshot._id !== undefined && idHex(snapshot._id) !== dcHex) {
      warnings.push(`dc_config._id ${storedIdText(snapshot._id)} disagrees with dc_id ${dcHex}`);
    }
    if (typeof snapshot.data_collection_tag === 'string' && snapshot.data_collection_tag !== dc.tag) {
      warnings.push(`dc_config tag "${snapshot.data_collection_tag}" disagrees with DC ${dcHex}, whose tag is "${dc.tag}"`);
    }
  }
  if (dc.columns) {
    for (const use of componentColumns(c)) {
      if (!dc.columns.has(use.column)) warnings.push(`column "${use.column}" (${use.field}) is not a column of DC ${dc.tag}`);
    }
  }
  if (dc.type === 'table' && !dc.registered) {
    warnings.push(`table DC ${dc.tag} has no deltatable registration yet`);
  }
  return finish('valid');
}

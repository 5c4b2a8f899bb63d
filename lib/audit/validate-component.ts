import { ObjectId } from 'mongodb';
import { idHex } from '../db/id-hex';
import { componentColumns, componentDcReferences, isKnownComponentType, KNOWN_COMPONENT_TYPES } from '../schemas/component-columns';
import { canSee, joinKey, type DashboardRef, type DcIndex, type DcInfo, type ProjectInfo } from './dc-index';
import { toStored } from './stored-value';
import { suggestFixes, type Finding } from './suggest';
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

export { toStored } from './stored-value';

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

/** A finding no fix is known for, with what was looked at. */
const other = (looked: string): Finding => ({ kind: 'other', looked });

/**
 * What a component was found to have wrong: errors, then warnings, each reason once, with the
 * findings the suggester reads. Lists are made on the first reason only: most components have none.
 */
class Verdict {
  private errors: string[] | null = null;
  private warnings: string[] | null = null;
  findings: Finding[] | null = null;

  error(reason: string, finding: Finding): void {
    if (this.has(reason)) return;
    (this.errors ??= []).push(reason);
    (this.findings ??= []).push(finding);
  }

  warning(reason: string, finding: Finding): void {
    if (this.has(reason)) return;
    (this.warnings ??= []).push(reason);
    (this.findings ??= []).push(finding);
  }

  /** A reason given once is not given again (a tab problem and a component problem can coincide). */
  private has(reason: string): boolean {
    return (this.errors?.includes(reason) ?? false) || (this.warnings?.includes(reason) ?? false);
  }

  /** Errors first, then warnings; the status is the worst of them. */
  finish(row: ComponentRow, noDc: boolean): void {
    const { errors, warnings } = this;
    row.reasons = errors && warnings ? errors.concat(warnings) : (errors ?? warnings ?? []);
    row.status = errors ? 'error' : warnings ? 'warning' : noDc ? 'n/a' : 'valid';
  }
}

/** The row's status and reasons, then its suggestion from the findings. */
function conclude(row: ComponentRow, verdict: Verdict, c: Loose, tab: TabContext, index: DcIndex, noDc: boolean): ComponentRow {
  verdict.finish(row, noDc);
  if (verdict.findings) row.suggestion = suggestFixes(c, verdict.findings, { index, projectId: tab.projectId, location: row.location });
  return row;
}

/** What an old snapshot tag is evidence of; two snapshot tags that disagree with each other are no evidence of which DC was meant. */
function tagFinding(said: string, tag: string | null, configTag: string | null, dc: DcInfo): Finding {
  return tag !== null && configTag !== null && tag !== configTag
    ? other(`snapshot tags "${tag}" and "${configTag}": they disagree with each other`)
    : { kind: 'tag-mismatch', tag: said, dc };
}

/** The DC's tag, project and workflow on the row, for the reader. */
function describeDc(row: ComponentRow, dc: DcInfo, index: DcIndex): void {
  row.dc_tag = dc.tag;
  row.project_id = dc.projectId;
  row.project_name = index.projects.get(dc.projectId)?.name ?? null;
  row.workflow = index.workflows.get(dc.workflowId)?.name ?? null;
}

/** The DC a column-bearing or DC-bearing field other than dc_id names, checked like dc_id: it exists, in the dashboard's project. */
function checkDcReference(field: string, value: unknown, tab: TabContext, index: DcIndex, verdict: Verdict): DcInfo | null {
  const hex = idHex(value);
  const dc = hex ? index.dcs.get(hex) : undefined;
  if (!dc) {
    verdict.error(
      `${field} ${storedIdText(value)} matches no data collection: the platform cannot load what it names`,
      other(`${field}: nothing names a replacement`),
    );
    return null;
  }
  if (tab.projectId && dc.projectId !== tab.projectId) {
    const own = index.projects.get(tab.projectId);
    verdict.error(
      `${field} names DC ${dc.tag} (${dc.id}) of project "${index.projects.get(dc.projectId)?.name ?? dc.projectId}", not of this dashboard's project ${own ? `"${own.name}"` : tab.projectId}`,
      other(`${field}: nothing names a replacement in the dashboard's project`),
    );
  }
  return dc;
}

/** Columns are checked against what the DC is known to have; a DC with no known columns is not checked. */
function checkColumns(c: Loose, dc: DcInfo, tab: TabContext, index: DcIndex, verdict: Verdict): void {
  const refs = componentDcReferences(c);
  const others = refs.length > 0 ? new Map<string, DcInfo | null>() : null;
  for (const ref of refs) others!.set(ref.field, checkDcReference(ref.field, ref.value, tab, index, verdict));
  for (const use of componentColumns(c)) {
    const target = use.dcField ? others?.get(use.dcField) : dc;
    if (!target?.columns || target.columns.has(use.column)) continue;
    verdict.warning(
      `column "${use.column}" (${use.field}) is not a column of DC ${target.tag} (${target.id})`,
      other(`column "${use.column}" (${use.field}): DC ${target.tag} has ${target.columns.size} known columns and nothing names a replacement`),
    );
  }
}

/**
 * Validates one component against the data collection it names, checking what the platform reads
 * for its type. Every rule that fails adds a reason in plain words naming the offending value; the
 * status is the worst of them; a component with findings carries a suggested fix or "no fix known".
 */
export function validateComponent(raw: unknown, tab: TabContext, index: DcIndex, position = 0): ComponentRow {
  const c = (raw !== null && typeof raw === 'object' ? raw : {}) as Loose;
  const type = typeof c.component_type === 'string' ? c.component_type : 'unknown';
  const stored = c.dc_id;
  const dcHex = stored === null || stored === undefined ? null : idHex(stored);
  const verdict = new Verdict();
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
  if (tab.tabProblem) verdict.error(tab.tabProblem, other('the tab itself: a change to its components cannot fix it'));

  if (!isKnownComponentType(type)) {
    verdict.error(
      `${typeof c.component_type === 'string' ? `component type "${type}" is not one the platform renders` : 'component_type is missing'} (it renders ${KNOWN_COMPONENT_TYPES.join(', ')}): the tile shows 'Component type "${typeof c.component_type === 'string' ? type : ''}" not yet ported.' instead of its content`,
      other('component_type: nothing says which known type it should be'),
    );
    return conclude(row, verdict, c, tab, index, false);
  }
  if (NO_DC_TYPES.has(type)) {
    // A text tile reads no data: being bound is its only possible problem, so its snapshot is not checked.
    if (stored !== null && stored !== undefined) {
      const bound = dcHex ? index.dcs.get(dcHex) : undefined;
      if (bound) describeDc(row, bound, index);
      verdict.warning(
        `a ${type} component shows no data, yet is bound to dc_id ${row.dc_id} (a seeding step that forced every dc_id does this; it should be null)`,
        { kind: 'text-bound' },
      );
    }
    return conclude(row, verdict, c, tab, index, stored === null || stored === undefined);
  }

  if (stored === null || stored === undefined) {
    verdict.error(`dc_id is ${stored === null ? 'null' : 'missing'}: a ${type} component needs a data collection`, { kind: 'dc-absent' });
    return conclude(row, verdict, c, tab, index, false);
  }
  if (typeof stored === 'string' && stored.includes('--')) {
    verdict.error(legacyReason(stored, index), { kind: 'dc-legacy', stored });
    return conclude(row, verdict, c, tab, index, false);
  }
  if (!dcHex) {
    verdict.error(`dc_id ${JSON.stringify(row.dc_id)} is not an ObjectId or a 24-hex id`, { kind: 'dc-malformed' });
    return conclude(row, verdict, c, tab, index, false);
  }
  const dc = index.dcs.get(dcHex);
  if (!dc) {
    const what = describeOtherId(dcHex, index, tab.dashboards);
    verdict.error(`dc_id ${dcHex} matches no data collection${what ? `: ${what}` : ''}`, { kind: 'dc-unknown' });
    return conclude(row, verdict, c, tab, index, false);
  }

  describeDc(row, dc, index);
  const dcProject = index.projects.get(dc.projectId)!;
  const workflow = index.workflows.get(dc.workflowId);

  if (tab.projectId && dc.projectId !== tab.projectId) {
    const own = index.projects.get(tab.projectId);
    verdict.error(`DC ${dc.tag} (${dcHex}) belongs to project "${dcProject.name}", not to this dashboard's project ${own ? `"${own.name}"` : tab.projectId}`, {
      kind: 'dc-foreign',
    });
  }
  const hidden = visibilityProblem(dcHex, dcProject, tab.owners);
  if (hidden) verdict.error(hidden, other(`project "${dcProject.name}": its permissions, which a change to the dashboard cannot fix`));

  const wf = c.wf_id;
  if (wf !== undefined && wf !== null) {
    const wfHex = idHex(wf);
    if (wfHex !== dc.workflowId) {
      const named = wfHex ? index.workflows.get(wfHex) : undefined;
      verdict.warning(
        `wf_id ${storedIdText(wf)}${named ? ` (${named.name})` : ''} is not the workflow of DC ${dc.tag}, which is ${dc.workflowId}${workflow ? ` (${workflow.name})` : ''}`,
        { kind: 'wf-mismatch', dc },
      );
    }
  }
  const snapshot = c.dc_config !== null && typeof c.dc_config === 'object' ? (c.dc_config as Loose) : null;
  // Empty tags are unset, not different: the platform resolves tags from the ids.
  const tag = typeof c.data_collection_tag === 'string' && c.data_collection_tag !== '' && c.data_collection_tag !== dc.tag ? c.data_collection_tag : null;
  const configTag =
    typeof snapshot?.data_collection_tag === 'string' && snapshot.data_collection_tag !== '' && snapshot.data_collection_tag !== dc.tag
      ? snapshot.data_collection_tag
      : null;
  if (tag !== null) {
    // The same old tag in both snapshots is one finding, said once.
    verdict.warning(
      `snapshot tag "${tag}" disagrees with DC ${dcHex}, whose tag is "${dc.tag}"${configTag === tag ? ' (in data_collection_tag and in dc_config)' : ''}`,
      tagFinding(tag, tag, configTag, dc),
    );
  }
  if (snapshot) {
    if (snapshot._id !== undefined && snapshot._id !== null && idHex(snapshot._id) !== dcHex) {
      verdict.warning(`dc_config._id ${storedIdText(snapshot._id)} disagrees with dc_id ${dcHex} (the platform's own seeding rewrites it to the dc_id)`, {
        kind: 'config-id-stale',
        dc,
      });
    }
    if (configTag !== null && configTag !== tag) {
      verdict.warning(`dc_config tag "${configTag}" disagrees with DC ${dcHex}, whose tag is "${dc.tag}"`, tagFinding(configTag, tag, configTag, dc));
    }
    if (typeof snapshot.type === 'string' && snapshot.type !== dc.type) {
      verdict.warning(
        `dc_config type "${snapshot.type}" disagrees with DC ${dc.tag}, whose type is "${dc.type}"`,
        other('dc_config.type: the type is a snapshot; no fix of it is proposed'),
      );
    }
  }
  checkColumns(c, dc, tab, index, verdict);
  if (dc.type === 'table' && !dc.registered) {
    verdict.warning(
      `table DC ${dc.tag} (${dcHex}) has no deltatable registration yet: its data cannot be loaded`,
      other(`DC ${dc.tag}: its registration, which processing the DC creates, not a change to the dashboard`),
    );
  }
  return conclude(row, verdict, c, tab, index, false);
}

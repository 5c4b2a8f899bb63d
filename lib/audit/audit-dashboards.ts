import { ObjectId } from 'mongodb';
import { idHex } from '../db/id-hex';
import type { DashboardRef, DcIndex } from './dc-index';
import { storedIdText, strayDcId, toStored, validateComponent, type DashboardOwner, type TabContext } from './validate-component';
import { addStatus, emptyCounts, type DashboardReport, type TabReport } from './types';

type Loose = Record<string, unknown>;

/** Looks dashboards up by id (keys as `idKey` gives them): what a stray dc_id or parent id is. */
export type DashboardLookup = (ids: string[]) => Promise<ReadonlyMap<string, DashboardRef>>;

const NO_DASHBOARDS: ReadonlyMap<string, DashboardRef> = new Map();

/** An id as grouping and look-ups compare it: lowercase hex for ObjectIds and hex strings, else the stored text. */
export function idKey(value: unknown): string {
  if (value instanceof ObjectId) return value.toHexString();
  if (typeof value === 'string') return value.toLowerCase();
  return storedIdText(value) ?? '';
}

const isChild = (doc: Loose) => doc.parent_dashboard_id !== null && doc.parent_dashboard_id !== undefined;
const tabOrder = (doc: Loose) => (typeof doc.tab_order === 'number' ? doc.tab_order : 0);

/**
 * The dashboard a tab document belongs to: its parent's id, or its own for a main tab. A database
 * query computes the same key as `_audit_group` (see run-audit.ts) so that it can sort by it; when
 * present, that key is used, so the two can never disagree.
 */
export function groupKey(doc: Loose): string {
  if (typeof doc._audit_group === 'string') return doc._audit_group;
  return idKey(isChild(doc) ? doc.parent_dashboard_id : doc._id);
}

/** Cuts a stream of tab documents into dashboards. The tabs of a dashboard must arrive together, in any order. */
class Grouper {
  private tabs: Loose[] = [];
  private key: string | null = null;

  push(raw: unknown): Loose[] | null {
    const doc = (raw !== null && typeof raw === 'object' ? raw : {}) as Loose;
    const key = groupKey(doc);
    if (this.key === null || key === this.key) {
      this.key = key;
      this.tabs.push(doc);
      return null;
    }
    const done = this.tabs;
    this.tabs = [doc];
    this.key = key;
    return done;
  }

  flush(): Loose[] | null {
    const done = this.tabs;
    this.tabs = [];
    this.key = null;
    return done.length > 0 ? done : null;
  }
}

const byTabPosition = (a: Loose, b: Loose) => Number(isChild(a)) - Number(isChild(b)) || tabOrder(a) - tabOrder(b);

/** Main tab first, then child tabs by tab_order (stable: ties keep their order). */
function sortTabs(group: Loose[]): Loose[] {
  return group.length === 1 ? group : [...group].sort(byTabPosition);
}

function owners(doc: Loose): DashboardOwner[] {
  const list = (doc.permissions as Loose | undefined)?.owners;
  const found: DashboardOwner[] = [];
  if (!Array.isArray(list)) return found;
  for (const raw of list) {
    if (raw === null || typeof raw !== 'object') continue;
    const owner = raw as Loose;
    found.push({ id: idHex(owner._id), email: typeof owner.email === 'string' ? owner.email : null, isAdmin: owner.is_admin === true });
  }
  return found;
}

/** The ids of a dashboard that nothing in the index explains: stray dc_ids, and a parent missing from the group. */
export function idsToLookUp(group: Loose[], index: DcIndex): string[] {
  const ids = new Set<string>();
  const first = sortTabs(group)[0];
  if (first && isChild(first)) ids.add(idKey(first.parent_dashboard_id));
  for (const doc of group) {
    if (!Array.isArray(doc.stored_metadata)) continue;
    for (const component of doc.stored_metadata) {
      const stray = strayDcId(component, index);
      if (stray) ids.add(stray);
    }
  }
  return [...ids];
}

/** Validates one dashboard: its main tab and child tabs, every component of each. */
export function auditGroup(group: Loose[], index: DcIndex, dashboards: ReadonlyMap<string, DashboardRef> = NO_DASHBOARDS): DashboardReport {
  const tabs = sortTabs(group);
  const first = tabs[0] ?? {};
  const main = isChild(first) ? null : first;
  // A dashboard without its main tab: the parent its child tabs name is not there.
  const missingParent = main ? null : storedIdText(first.parent_dashboard_id);
  const projectId = idHex(first.project_id);
  const report: DashboardReport = {
    id: main ? (storedIdText(main._id) ?? '') : (missingParent ?? ''),
    title: main ? (typeof main.title === 'string' ? main.title : (storedIdText(main._id) ?? '')) : `(missing parent dashboard ${missingParent})`,
    project_id: projectId,
    project_name: projectId ? (index.projects.get(projectId)?.name ?? null) : null,
    tabs: [],
    components: [],
    counts: emptyCounts(),
  };
  let parentProblem: ((tabTitle: string) => string) | null = null;
  if (missingParent !== null) {
    const found = dashboards.get(idKey(first.parent_dashboard_id));
    // The platform opens a tab document by its own id, so the tab itself still opens by its URL; what
    // breaks is everything that goes through the parent: dashboard lists show main tabs only, and the
    // tab bar loads the family from GET /dashboards/tabs/{parent}, which refuses.
    const orphan = 'the tab still opens by its URL, but no dashboard list shows it (lists show main tabs only) and its tab bar cannot load';
    parentProblem = found
      ? (t) =>
          `parent dashboard ${missingParent} ("${found.title}") of tab "${t}" is itself a child tab, not a main tab: ${orphan} (the platform answers "The specified dashboard is not a main tab.")`
      : (t) => `parent dashboard ${missingParent} of tab "${t}" does not exist: ${orphan} (the platform answers "Dashboard '${missingParent}' not found.")`;
  }

  for (const doc of tabs) {
    const tabId = storedIdText(doc._id) ?? '';
    const tabTitle = typeof doc.title === 'string' ? doc.title : tabId;
    const tabProject = idHex(doc.project_id);
    const problems: string[] = [];
    if (parentProblem) problems.push(parentProblem(tabTitle));
    if (!tabProject) problems.push(`tab "${tabTitle}" names no valid project_id (${storedIdText(doc.project_id) ?? 'missing'})`);
    else if (!index.projects.has(tabProject)) problems.push(`the project ${tabProject} of tab "${tabTitle}" does not exist`);
    const tab: TabReport = {
      id: tabId,
      title: tabTitle,
      tab_order: tabOrder(doc),
      is_main_tab: !isChild(doc),
      parent_id: isChild(doc) ? storedIdText(doc.parent_dashboard_id) : null,
      problems,
    };
    report.tabs.push(tab);
    const context: TabContext = {
      tabId,
      tabStoredId: toStored(doc._id),
      tabTitle,
      projectId: tabProject,
      owners: owners(doc),
      tabProblem: problems.length > 0 ? problems.join('; ') : null,
      dashboards,
    };
    if (!Array.isArray(doc.stored_metadata)) continue;
    for (const [position, component] of doc.stored_metadata.entries()) {
      const row = validateComponent(component, context, index, position);
      report.components.push(row);
      addStatus(report.counts, row.status);
    }
  }
  return report;
}

/**
 * Validates dashboards one at a time as they stream in; the tabs of a dashboard must arrive
 * together. Only the dashboard in hand is kept, so memory does not grow with the number of
 * dashboards, and the work is linear in the number of components. Without a database, an id that
 * is a dashboard's (not a DC's) is reported as matching nothing.
 */
export function* auditDashboards(index: DcIndex, dashboards: Iterable<unknown>): Generator<DashboardReport> {
  const grouper = new Grouper();
  for (const doc of dashboards) {
    const group = grouper.push(doc);
    if (group) yield auditGroup(group, index);
  }
  const last = grouper.flush();
  if (last) yield auditGroup(last, index);
}

/**
 * The same over a cursor. With `lookUp`, a dashboard whose ids nothing in the index explains costs
 * one more query (by _id), so the report can say what such an id is; a clean dashboard costs none.
 */
export async function* auditDashboardsAsync(index: DcIndex, dashboards: AsyncIterable<unknown>, lookUp?: DashboardLookup): AsyncGenerator<DashboardReport> {
  const grouper = new Grouper();
  const audit = async (group: Loose[]) => {
    const ids = lookUp ? idsToLookUp(group, index) : [];
    return auditGroup(group, index, ids.length > 0 ? await lookUp!(ids) : NO_DASHBOARDS);
  };
  for await (const doc of dashboards) {
    const group = grouper.push(doc);
    if (group) yield await audit(group);
  }
  const last = grouper.flush();
  if (last) yield await audit(last);
}

import { idHex, type DcIndex } from './dc-index';
import { storedIdText, validateComponent, type TabContext } from './validate-component';
import { addStatus, emptyCounts, type DashboardReport } from './types';

type Loose = Record<string, unknown>;

/** A main tab groups itself and its child tabs: the key is the parent's id, or the tab's own. */
export function groupKey(doc: Loose): string {
  return idHex(doc.parent_dashboard_id) ?? idHex(doc._id) ?? storedIdText(doc._id) ?? '';
}

function firstOwner(doc: Loose): TabContext['owner'] {
  const owners = (doc.permissions as Loose | undefined)?.owners;
  const owner = Array.isArray(owners) ? (owners[0] as Loose | undefined) : undefined;
  if (!owner || typeof owner !== 'object') return null;
  return { id: idHex(owner._id), isAdmin: owner.is_admin === true };
}

/**
 * Validates dashboards one group (main tab + child tabs) at a time. Dashboards must arrive grouped,
 * main tab first (sort by group key, then parent id: null sorts first). Only the group in hand is
 * kept, so memory does not grow with the number of dashboards; work is linear in components.
 */
export class DashboardAuditor {
  private current: DashboardReport | null = null;
  private currentKey = '';
  private orphanOf: string | null = null;

  constructor(private readonly index: DcIndex) {}

  /** Adds one dashboard document; returns the previous dashboard's report when this one starts a new group. */
  push(raw: unknown): DashboardReport | null {
    const doc = (raw !== null && typeof raw === 'object' ? raw : {}) as Loose;
    const key = groupKey(doc);
    const parentId = idHex(doc.parent_dashboard_id);
    let finished: DashboardReport | null = null;
    if (!this.current || key !== this.currentKey) {
      finished = this.current;
      this.currentKey = key;
      // A group that starts with a child tab has no main tab: its parent does not exist.
      this.orphanOf = parentId;
      this.current = {
        id: key,
        title: parentId ? `(missing parent dashboard ${parentId})` : typeof doc.title === 'string' ? doc.title : key,
        project_id: idHex(doc.project_id),
        project_name: null,
        tabs: [],
        components: [],
        counts: emptyCounts(),
      };
      this.current.project_name = this.current.project_id ? (this.index.projects.get(this.current.project_id)?.name ?? null) : null;
    }
    const report = this.current;
    const tabId = storedIdText(doc._id) ?? '';
    const tabTitle = typeof doc.title === 'string' ? doc.title : tabId;
    const projectId = idHex(doc.project_id);
    const problems: string[] = [];
    if (this.orphanOf) problems.push(`parent dashboard ${this.orphanOf} of tab "${tabTitle}" does not exist: the tab cannot be opened`);
    if (projectId && !this.index.projects.has(projectId)) problems.push(`the dashboard's project ${projectId} does not exist`);
    if (!projectId) problems.push(`the dashboard names no valid project_id (${storedIdText(doc.project_id) ?? 'missing'})`);
    report.tabs.push({
      id: tabId,
      title: tabTitle,
      tab_order: typeof doc.tab_order === 'number' ? doc.tab_order : 0,
      is_main_tab: !parentId,
      parent_id: parentId,
      problems,
    });
    const context: TabContext = {
      tabId,
      tabTitle,
      projectId,
      owner: firstOwner(doc),
      tabProblem: problems.length > 0 ? problems.join('; ') : null,
    };
    const components = Array.isArray(doc.stored_metadata) ? doc.stored_metadata : [];
    for (const component of components) {
      const row = validateComponent(component, context, this.index);
      report.components.push(row);
      addStatus(report.counts, row.status);
    }
    return finished;
  }

  /** The last group's report. */
  flush(): DashboardReport | null {
    const last = this.current;
    this.current = null;
    return last;
  }
}

export function* auditDashboards(index: DcIndex, dashboards: Iterable<unknown>): Generator<DashboardReport> {
  const auditor = new DashboardAuditor(index);
  for (const doc of dashboards) {
    const done = auditor.push(doc);
    if (done) yield done;
  }
  const last = auditor.flush();
  if (last) yield last;
}

export async function* auditDashboardsAsync(index: DcIndex, dashboards: AsyncIterable<unknown>): AsyncGenerator<DashboardReport> {
  const auditor = new DashboardAuditor(index);
  for await (const doc of dashboards) {
    const done = auditor.push(doc);
    if (done) yield done;
  }
  const last = auditor.flush();
  if (last) yield last;
}

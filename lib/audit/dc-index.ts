import { idHex } from '../db/id-hex';

/**
 * What the audit knows about every project, workflow and data collection, built from one read of
 * the projects (DCs are embedded in them) and the registration documents. Lookups are by 24-hex id.
 */

export interface ProjectInfo {
  id: string;
  name: string;
  isPublic: boolean;
  /** Owners, editors and viewers by id; "*" when every user may view. */
  members: Set<string>;
}

export interface WorkflowInfo {
  id: string;
  name: string;
  projectId: string;
}

export interface DcInfo {
  id: string;
  tag: string;
  type: string;
  projectId: string;
  workflowId: string;
  /** Known columns, from the registration when there is one, else from the DC's description. */
  columns: Set<string> | null;
  /** For table DCs: whether a deltatable registration exists. */
  registered: boolean;
}

export interface DcIndex {
  dcs: Map<string, DcInfo>;
  projects: Map<string, ProjectInfo>;
  workflows: Map<string, WorkflowInfo>;
  /** Join DCs by the ids they join (`joinKey`), to name the replacement of a legacy `A--B` dc_id. */
  joins: Map<string, DcInfo>;
}

/** A dashboard document the audit looked up by id: what a stray id turned out to be. */
export interface DashboardRef {
  title: string;
  /** Its parent's id (as text) when it is a child tab. */
  parentId: string | null;
}

type Loose = Record<string, unknown>;
const asObject = (value: unknown): Loose | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : undefined);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The key of the DC ids a join DC joins, in any order. */
export const joinKey = (ids: readonly string[]): string => [...ids].sort().join('--');

export interface RegistrationDocs {
  /** `deltatables` documents (only `data_collection_id` and the column specs are read). */
  deltatables: Iterable<unknown>;
}

/** The only fields of a project the index reads: what `buildDcIndex` needs, for a query's projection. */
export const PROJECT_PROJECTION = {
  name: 1,
  is_public: 1,
  permissions: 1,
  'workflows._id': 1,
  'workflows.name': 1,
  'workflows.data_collections._id': 1,
  'workflows.data_collections.data_collection_tag': 1,
  'workflows.data_collections.config.type': 1,
  'workflows.data_collections.config.dc_specific_properties.columns_description': 1,
  'workflows.data_collections.config.join.with_dc': 1,
} as const;

export function buildDcIndex(projectDocs: Iterable<unknown>, registrations: RegistrationDocs): DcIndex {
  const registeredColumns = new Map<string, Set<string> | null>();
  for (const raw of registrations.deltatables) {
    const doc = asObject(raw);
    const dcId = idHex(doc?.data_collection_id);
    if (!dcId) continue;
    const specs = asArray(asObject(asArray(doc?.aggregation).at(-1))?.aggregation_columns_specs);
    const names = specs.map((s) => asObject(s)?.name).filter((n): n is string => typeof n === 'string');
    registeredColumns.set(dcId, names.length > 0 ? new Set(names) : null);
  }

  const index: DcIndex = { dcs: new Map(), projects: new Map(), workflows: new Map(), joins: new Map() };
  for (const raw of projectDocs) {
    const project = asObject(raw);
    const projectId = idHex(project?._id);
    if (!project || !projectId) continue;
    const permissions = asObject(project.permissions);
    const members = new Set<string>();
    for (const role of ['owners', 'editors', 'viewers']) {
      for (const member of asArray(permissions?.[role])) {
        if (member === '*') members.add('*');
        const id = idHex(asObject(member)?._id);
        if (id) members.add(id);
      }
    }
    index.projects.set(projectId, {
      id: projectId,
      name: typeof project.name === 'string' ? project.name : projectId,
      isPublic: project.is_public === true,
      members,
    });
    for (const wfRaw of asArray(project.workflows)) {
      const workflow = asObject(wfRaw);
      const workflowId = idHex(workflow?._id);
      if (!workflow || !workflowId) continue;
      index.workflows.set(workflowId, {
        id: workflowId,
        name: typeof workflow.name === 'string' ? workflow.name : workflowId,
        projectId,
      });
      for (const dcRaw of asArray(workflow.data_collections)) {
        const dc = asObject(dcRaw);
        const dcId = idHex(dc?._id);
        if (!dc || !dcId) continue;
        const config = asObject(dc.config);
        const described = asObject(asObject(config?.dc_specific_properties)?.columns_description);
        const type = typeof config?.type === 'string' ? config.type : 'unknown';
        const info: DcInfo = {
          id: dcId,
          tag: typeof dc.data_collection_tag === 'string' ? dc.data_collection_tag : dcId,
          type,
          projectId,
          workflowId,
          columns: registeredColumns.get(dcId) ?? (described ? new Set(Object.keys(described)) : null),
          registered: registeredColumns.has(dcId),
        };
        index.dcs.set(dcId, info);
        const joined = asArray(asObject(config?.join)?.with_dc).map(idHex);
        if (joined.length > 1 && joined.every((id) => id !== null)) index.joins.set(joinKey(joined as string[]), info);
      }
    }
  }
  return index;
}

/** Whether a user (by id, with its admin flag) may see a project, as the platform decides it. */
export function canSee(project: ProjectInfo, user: { id: string | null; isAdmin: boolean } | null): boolean {
  if (project.isPublic || project.members.has('*')) return true;
  if (!user) return false;
  return user.isAdmin || (user.id !== null && project.members.has(user.id));
}

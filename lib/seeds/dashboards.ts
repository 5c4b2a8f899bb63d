import { ObjectId } from 'mongodb';
import type { DashboardDoc, ProjectDoc, UserRefDoc } from '../schemas/platform';
import { at, type Problems } from './problems';
import { isObject } from './stored';

export interface DashboardFile {
  file: string;
  raw: unknown;
}

export interface BuiltDashboard {
  file: string;
  doc: DashboardDoc;
}

const idText = (value: unknown) => (value instanceof ObjectId ? value.toHexString() : JSON.stringify(value));

/**
 * A `.db_seeds` dashboard document as depictio stores it: as shipped (components keep their dc_id,
 * wf_id and dc_config, whatever they say), owned by the admin. Only what depictio's DashboardData
 * rejects is an error, plus a document that is not this project's or whose parent is not here.
 */
export function buildDashboards(files: DashboardFile[], project: ProjectDoc, owner: UserRefDoc, problems: Problems): BuiltDashboard[] {
  const built: BuiltDashboard[] = [];
  for (const { file, raw } of files) {
    const err = (field: string, message: string) => problems.error(file, field, message);
    if (!isObject(raw)) {
      err('', Array.isArray(raw) ? 'expected one dashboard document (an object), got a list' : 'expected a dashboard document (an object)');
      continue;
    }
    const before = problems.errors.length;
    if (!(raw._id instanceof ObjectId)) err('_id', `expected an ObjectId ({"$oid": …} or 24 hex characters), got ${idText(raw._id)}`);
    if (!(raw.dashboard_id instanceof ObjectId)) err('dashboard_id', `expected an ObjectId, got ${idText(raw.dashboard_id)}`);
    if (typeof raw.title !== 'string') err('title', 'required: a string');
    if (!(raw.project_id instanceof ObjectId)) err('project_id', `expected an ObjectId, got ${idText(raw.project_id)}`);
    else if (!raw.project_id.equals(project._id)) {
      err('project_id', `${raw.project_id.toHexString()} is not the id of this folder's project "${project.name}" (${project._id.toHexString()})`);
    }
    if (raw.tab_order !== undefined && !Number.isInteger(raw.tab_order)) err('tab_order', 'expected a whole number');
    if (raw.is_main_tab !== undefined && typeof raw.is_main_tab !== 'boolean') err('is_main_tab', 'expected true or false');
    if (raw.parent_dashboard_id !== undefined && raw.parent_dashboard_id !== null && !(raw.parent_dashboard_id instanceof ObjectId)) {
      err('parent_dashboard_id', `expected an ObjectId or null, got ${idText(raw.parent_dashboard_id)}`);
    }
    if (raw.stored_metadata !== undefined && !Array.isArray(raw.stored_metadata)) err('stored_metadata', 'expected a list of components');
    if (raw.is_public !== undefined && typeof raw.is_public !== 'boolean') err('is_public', 'expected true or false');
    (Array.isArray(raw.stored_metadata) ? raw.stored_metadata : []).forEach((component, i) => {
      if (!isObject(component)) problems.warn(file, at('stored_metadata', i), 'not an object: no component can be drawn from it');
    });
    if (problems.errors.length > before) continue;
    built.push({
      file,
      doc: {
        ...raw,
        stored_metadata: Array.isArray(raw.stored_metadata) ? raw.stored_metadata : [],
        permissions: { owners: [owner], editors: [], viewers: [] },
      } as unknown as DashboardDoc,
    });
  }

  // Tabs: a child's parent is a main tab of this folder.
  const byId = new Map(built.map((b) => [b.doc._id.toHexString(), b]));
  for (const { file, doc } of built) {
    const parent = doc.parent_dashboard_id;
    if (!parent) continue;
    const found = byId.get(parent.toHexString());
    if (!found) problems.error(file, 'parent_dashboard_id', `no dashboard ${parent.toHexString()} in this folder's .db_seeds`);
    else if (found.doc.parent_dashboard_id)
      problems.error(file, 'parent_dashboard_id', `${parent.toHexString()} is itself a child tab; a parent must be a main tab`);
    if (doc.is_main_tab === true) problems.warn(file, 'is_main_tab', 'true on a tab with a parent_dashboard_id: the platform shows it as a child tab');
  }
  return built;
}

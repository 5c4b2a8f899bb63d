import type { Db } from 'mongodb';
import { idHex } from '../db/id-hex';
import { DASHBOARDS, DELTATABLES, INIT_HISTORY, MULTIQC, PROJECTS } from '../db/collections';
import type { HistoryEvent } from '../schemas/history';
import { iso } from './json';
import { currentSeedDigests, type SeedDigests } from './seed-digests';
import type { DcView, ProjectSeed, ProjectsView } from './views';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The latest `seeded-project` event of each project: one index range (event, at) per project, newest first. */
async function lastSeedings(db: Db, ids: string[]): Promise<Map<string, HistoryEvent>> {
  const found = await Promise.all(
    ids.map((id) => db.collection<HistoryEvent>(INIT_HISTORY).findOne({ event: 'seeded-project', 'detail.project_id': id }, { sort: { at: -1, _id: -1 } })),
  );
  return new Map(found.flatMap((event, i) => (event ? [[ids[i]!, event] as const] : [])));
}

/** A project's seed folder, last seeding and whether the folder changed since (ProjectSeed). */
export function projectSeed(id: string, last: HistoryEvent | undefined, seeds: SeedDigests): ProjectSeed {
  const recordedFolder = typeof last?.detail.folder === 'string' ? last.detail.folder : null;
  const recordedDigest = typeof last?.detail.folder_digest === 'string' ? last.detail.folder_digest : null;
  const current = seeds.readable ? seeds.projects.get(id) : undefined;
  const folder = recordedFolder ?? current?.folder ?? null;
  const lastSeeded = last ? { at: last.at.toISOString(), run_id: last.run_id } : null;
  let state: ProjectSeed['folder_state'];
  if (!seeds.readable) state = folder || last ? 'unreadable' : 'not-from-folder';
  else if (!current) state = recordedFolder ? 'removed' : 'not-from-folder';
  else if (!recordedDigest) state = 'unknown';
  else state = recordedDigest === current.digest ? 'unchanged' : 'changed';
  return { folder, last_seeded: lastSeeded, folder_state: state };
}

/**
 * The projects view: the seeded projects with their workflows and DCs, each DC with its
 * registration and its dashboards, each project with where it was seeded from.
 */
export async function loadProjects(db: Db, seeds: Promise<SeedDigests> = currentSeedDigests()): Promise<ProjectsView> {
  const [projects, deltatables, multiqc, dashboards] = await Promise.all([
    db
      .collection<Loose>(PROJECTS)
      .find({}, { sort: { name: 1 } })
      .toArray(),
    db
      .collection<Loose>(DELTATABLES)
      .find({}, { projection: { data_collection_id: 1 } })
      .toArray(),
    db
      .collection<Loose>(MULTIQC)
      .find({}, { projection: { data_collection_id: 1 } })
      .toArray(),
    db
      .collection<Loose>(DASHBOARDS)
      .find({}, { projection: { title: 1, 'stored_metadata.dc_id': 1 } })
      .toArray(),
  ]);
  const projectId = (p: Loose) => idHex(p._id) ?? String(p._id);
  const [seedings, digests] = await Promise.all([lastSeedings(db, projects.map(projectId)), seeds]);
  const registered = new Set([...deltatables, ...multiqc].map((d) => idHex(d.data_collection_id)));
  const usedBy = new Map<string, DcView['used_by']>();
  for (const dashboard of dashboards) {
    const perDc = new Map<string, number>();
    for (const component of Array.isArray(dashboard.stored_metadata) ? dashboard.stored_metadata : []) {
      const dc = idHex(component?.dc_id);
      if (dc) perDc.set(dc, (perDc.get(dc) ?? 0) + 1);
    }
    for (const [dc, components] of perDc) {
      const list = usedBy.get(dc) ?? [];
      list.push({ dashboard_id: idHex(dashboard._id) ?? String(dashboard._id), title: String(dashboard.title ?? ''), components });
      usedBy.set(dc, list);
    }
  }
  return {
    projects: projects.map((p) => ({
      id: projectId(p),
      name: String(p.name ?? ''),
      project_type: p.project_type ?? null,
      is_public: p.is_public === true,
      owners: (p.permissions?.owners ?? []).map((o: Loose) => String(o?.email ?? o?._id ?? '')),
      registration_time: iso(p.registration_time),
      workflows: (Array.isArray(p.workflows) ? p.workflows : []).map((wf: Loose) => ({
        id: idHex(wf._id) ?? String(wf._id),
        name: String(wf.name ?? ''),
        tag: wf.workflow_tag ?? null,
        engine: wf.engine ? [wf.engine.name, wf.engine.version].filter(Boolean).join(' ') : null,
        dcs: (Array.isArray(wf.data_collections) ? wf.data_collections : []).map((dc: Loose): DcView => {
          const id = idHex(dc._id) ?? String(dc._id);
          const type = String(dc.config?.type ?? 'unknown');
          const needsRegistration = type === 'table' || type === 'multiqc';
          return {
            id,
            tag: String(dc.data_collection_tag ?? id),
            description: dc.description ?? null,
            type,
            metatype: dc.config?.metatype ?? null,
            source: dc.config?.source ?? null,
            columns: Object.keys(dc.config?.dc_specific_properties?.columns_description ?? {}),
            registration: needsRegistration ? (registered.has(id) ? 'registered' : 'missing') : 'n/a',
            used_by: usedBy.get(id) ?? [],
          };
        }),
      })),
      seed: projectSeed(projectId(p), seedings.get(projectId(p)), digests),
    })),
  };
}

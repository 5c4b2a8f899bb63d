import type { Db, Document, Filter, ObjectId } from 'mongodb';
import { committed } from '../db/concerns';
import { DASHBOARDS, DELTATABLES, MULTIQC, PROJECTS } from '../db/collections';
import type { SeedBundle, SeedProjectBundle } from '../seeds/build';

/** A run's `projects` names a project the seed folders no longer ship: nothing is deleted for it. */
export class UnknownProjectError extends Error {
  constructor(readonly project: string) {
    super(`the seed folders ship no project ${project}: nothing was deleted`);
    this.name = 'UnknownProjectError';
  }
}

/**
 * What a run seeds: everything (`projects` null), or only the named projects' folders — then no
 * users and no groups, which a per-project reseed keeps as they are.
 */
export function scopeSeeds(seeds: SeedBundle, projects: readonly string[] | null): SeedBundle {
  if (projects === null) return seeds;
  const chosen = projects.map((id) => {
    const entry = seeds.projects.find((p) => p.project._id.toHexString() === id);
    if (!entry) throw new UnknownProjectError(id);
    return entry;
  });
  return { ...seeds, users: [], groups: [], projects: chosen, generatedPasswords: [] };
}

/** One collection's part of a wipe: the documents `filter` matches (before the fence is applied). */
export interface WipeTarget {
  name: string;
  filter: Filter<Document>;
}

/**
 * The documents a per-project reseed deletes: the projects, the dashboards their folders ship (by
 * `_id`: a dashboard a user made inside the project is not one of them), and the registrations of
 * their DCs — those the folder declares and those the stored project still has, so that a DC the
 * folder dropped does not leave its registration behind.
 */
export async function projectWipeTargets(db: Db, entries: readonly SeedProjectBundle[]): Promise<WipeTarget[]> {
  const projectIds = entries.map((e) => e.project._id);
  const stored = await db
    .collection<Document>(PROJECTS)
    .find({ _id: { $in: projectIds } }, { projection: { 'workflows.data_collections._id': 1 }, ...committed() })
    .toArray();
  const dcIds = new Map<string, ObjectId>();
  const addDc = (id: unknown) => {
    if (id && typeof (id as ObjectId).toHexString === 'function') dcIds.set((id as ObjectId).toHexString(), id as ObjectId);
  };
  for (const entry of entries) for (const wf of entry.project.workflows) for (const dc of wf.data_collections) addDc(dc._id);
  for (const doc of stored) for (const wf of asArray(doc.workflows)) for (const dc of asArray(wf?.data_collections)) addDc(dc?._id);
  const registrations = { data_collection_id: { $in: [...dcIds.values()] } };
  return [
    { name: PROJECTS, filter: { _id: { $in: projectIds } } },
    { name: DASHBOARDS, filter: { _id: { $in: entries.flatMap((e) => e.dashboards.map((d) => d._id)) } } },
    { name: DELTATABLES, filter: registrations },
    { name: MULTIQC, filter: registrations },
  ];
}

const asArray = (value: unknown): Document[] => (Array.isArray(value) ? (value as Document[]) : []);

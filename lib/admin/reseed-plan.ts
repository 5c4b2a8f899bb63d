import type { Db, Document, Filter } from 'mongodb';
import { committed } from '../db/concerns';
import { DASHBOARDS, DELTATABLES, GROUPS, MULTIQC, PRESERVED_COLLECTIONS, PROJECTS, USERS } from '../db/collections';
import type { Config } from '../env';
import { configuredSeeds } from '../init/prepare';
import { UnknownProjectError, projectWipeTargets, scopeSeeds } from '../init/scope';
import { readState } from '../init/state';
import { allWipeTargets } from '../init/wipe';
import type { SeedBundle, SeedProjectBundle } from '../seeds/build';
import { plural } from '../history/plural';
import { reseedPlanSchema, type ReseedPlan } from './schemas';
import { seenStateKey } from './seen-state';

export { UnknownProjectError } from '../init/scope';

/** What a reseed of everything (`'all'`) or of one project (its name or id) would do. */
export type ReseedTarget = 'all' | { project: string };

/** The seeded project a name or id names; one a name alone leaves ambiguous is an error too. */
export function findSeededProject(seeds: SeedBundle, nameOrId: string): SeedProjectBundle {
  const wanted = nameOrId.trim();
  const byId = seeds.projects.find((p) => p.project._id.toHexString() === wanted.toLowerCase());
  if (byId) return byId;
  const byName = seeds.projects.filter((p) => p.project.name === wanted);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1)
    throw new UnknownProjectError(`named "${wanted}" alone: ${byName.map((p) => p.project._id.toHexString()).join(', ')} share the name; give the id`);
  throw new UnknownProjectError(`"${wanted}" (the seeds ship ${seeds.projects.map((p) => `"${p.project.name}"`).join(', ') || 'no project'})`);
}

/**
 * The plan a Reseed dialog and `npm run reseed -- --plan` show, per collection: what the run
 * would delete, write and keep, counted on the database as it is now. The counts use the same
 * targets the run deletes (lib/init/scope.ts, wipe.ts): the plan cannot describe another deletion.
 */
export async function reseedPlan(db: Db, cfg: Config, target: ReseedTarget, seeds?: SeedBundle): Promise<ReseedPlan> {
  const bundle = seeds ?? (await configuredSeeds(cfg));
  const state = await readState(db);
  const count = (name: string, filter: Filter<Document> = {}) => db.collection(name).countDocuments(filter, committed());
  const written = (scoped: SeedBundle): Record<string, number> => ({
    [USERS]: scoped.users.length,
    [GROUPS]: scoped.groups.length,
    [PROJECTS]: scoped.projects.length,
    [DASHBOARDS]: scoped.projects.reduce((n, p) => n + p.dashboards.length, 0),
    [DELTATABLES]: scoped.projects.reduce((n, p) => n + p.deltatables.length, 0),
    [MULTIQC]: scoped.projects.reduce((n, p) => n + p.multiqc.length, 0),
  });

  if (target === 'all') {
    const targets = await allWipeTargets(db);
    const write = written(bundle);
    const names = [...new Set([...targets.map((t) => t.name), ...Object.keys(write)])].sort();
    const collections = await Promise.all(names.map(async (name) => ({ name, delete: await count(name), write: write[name] ?? 0, keep: 0 })));
    const seededDashboards = new Set(bundle.projects.flatMap((p) => p.dashboards.map((d) => d._id.toHexString())));
    const seededUsers = new Set(bundle.users.map((u) => u._id.toHexString()));
    const [dashboards, users] = await Promise.all([idsOf(db, DASHBOARDS), idsOf(db, USERS)]);
    const userDashboards = dashboards.filter((id) => !seededDashboards.has(id)).length;
    const otherUsers = users.filter((id) => !seededUsers.has(id)).length;
    return reseedPlanSchema.parse({
      scope: 'all',
      database: db.databaseName,
      project: null,
      collections,
      seen_state: seenStateKey(state),
      notes: [
        `Deletes every document of ${names.join(', ')}: every dashboard (${plural(userDashboards, 'dashboard')} made by users among them) and every account (${plural(otherUsers, 'user')} not in the seeds among them). Nothing of it can be undone.`,
        `Kept: ${PRESERVED_COLLECTIONS.join(', ')} (the lock, the history, the console's sessions and sign-in counters).`,
      ],
    });
  }

  const entry = findSeededProject(bundle, target.project);
  const scoped = scopeSeeds(bundle, [entry.project._id.toHexString()]);
  const targets = await projectWipeTargets(db, scoped.projects);
  const write = written(scoped);
  const byName = new Map(targets.map((t) => [t.name, t.filter]));
  const names = [...new Set([...byName.keys(), USERS, GROUPS, ...(await allWipeTargets(db)).map((t) => t.name)])].sort();
  const collections = await Promise.all(
    names.map(async (name) => {
      const filter = byName.get(name);
      const [total, matched] = await Promise.all([count(name), filter ? count(name, filter) : Promise.resolve(0)]);
      return { name, delete: matched, write: write[name] ?? 0, keep: total - matched };
    }),
  );
  const shipped = new Set(entry.dashboards.map((d) => d._id.toHexString()));
  const inProject = await db
    .collection(DASHBOARDS)
    .find({ project_id: { $in: [entry.project._id, entry.project._id.toHexString()] } }, { projection: { _id: 1 }, ...committed() })
    .toArray();
  const userMade = inProject.filter((d) => !shipped.has(String(d._id))).length;
  return reseedPlanSchema.parse({
    scope: 'project',
    database: db.databaseName,
    project: { id: entry.project._id.toHexString(), name: entry.project.name, folder: entry.folder },
    collections,
    seen_state: seenStateKey(state),
    notes: [
      `Deletes project "${entry.project.name}", the ${plural(entry.dashboards.length, 'dashboard')} its folder ${entry.folder} ships and its DCs' registrations, then writes them again from the folder.`,
      `Kept: users, groups, tokens and sessions, every other project, and every dashboard the seeds do not ship${userMade > 0 ? ` (${plural(userMade, 'dashboard')} made by users inside this project: the audit then shows whether their DC ids still resolve)` : ''}.`,
    ],
  });
}

async function idsOf(db: Db, name: string): Promise<string[]> {
  return (
    await db
      .collection(name)
      .find({}, { projection: { _id: 1 }, ...committed() })
      .toArray()
  ).map((d) => String(d._id));
}

import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { assertShapes, type Credentials, type SeedBundle } from './build';
import { buildDashboards, type BuiltDashboard } from './dashboards';
import { seedProblems } from './errors';
import { Problems } from './problems';
import { buildProject, type DcInfo } from './project';
import { seedUsersSchema, type SeedUsers } from './schema';
import { parseExtendedJson, parseYaml, toStored } from './stored';
import { buildUsers } from './users';

export const PROJECT_FILE = 'project.yaml';
export const DASHBOARDS_DIR = '.db_seeds';
export const USERS_FILE = 'users.yaml';

/** What the plan needs beyond the documents: where each came from. */
export interface ProjectDetail {
  folder: string;
  projectFile: string;
  dcs: DcInfo[];
  dashboards: BuiltDashboard[];
}

export interface SeedRead {
  /** Null when an error stops seeding. */
  bundle: SeedBundle | null;
  details: ProjectDetail[];
  problems: Problems;
}

/** Folders holding a project.yaml, at any depth, relative to `dir`, sorted; a project folder's own subfolders are its data. */
export async function findProjectFolders(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string, depth: number) => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === PROJECT_FILE)) {
      found.push(rel);
      return;
    }
    if (depth >= 8) return;
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') await walk(path.join(rel, entry.name), depth + 1);
    }
  };
  await walk('', 0);
  return found.map((f) => f.split(path.sep).join('/')).sort();
}

/**
 * Reads every seed file in SEEDS_DIR and builds the documents to write, collecting every problem.
 * Nothing touches the database. `loadSeeds` throws on errors; the seed plan reports them all.
 */
export async function readSeeds(dir: string, credentials: Credentials): Promise<SeedRead> {
  const problems = new Problems();
  const label = (file: string) => path.join(path.basename(dir), path.relative(dir, file)).split(path.sep).join('/');
  const details: ProjectDetail[] = [];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    problems.error(dir, '', 'seeds folder is missing or unreadable');
    return { bundle: null, details, problems };
  }
  const overall = createHash('sha256');

  // Our own users file (optional).
  const usersPath = path.join(dir, USERS_FILE);
  let extra: SeedUsers | null = null;
  const usersText = await readFile(usersPath, 'utf8').catch(() => null);
  if (usersText !== null) {
    overall.update(`${USERS_FILE}\0${usersText}\0`);
    const parsed = seedUsersSchema.safeParse(parseYaml(usersText, label(usersPath), problems) ?? {});
    if (parsed.success) extra = parsed.data;
    else problems.errors.push(...seedProblems(label(usersPath), parsed.error));
  }
  const users = buildUsers(extra, label(usersPath), credentials, problems);

  const folders = await findProjectFolders(dir);
  if (folders.length === 0) problems.error(label(dir), '', `no project folders (each needs ${PROJECT_FILE} and ${DASHBOARDS_DIR}/*.json)`);
  const projects: SeedBundle['projects'] = [];
  const claimed = new Map<string, string>();
  const claim = (id: { toHexString(): string }, file: string, field: string) => {
    const key = id.toHexString();
    const previous = claimed.get(key);
    if (previous) problems.error(file, field, `id ${key} is already used by ${previous}`);
    else claimed.set(key, `${file} ${field}`);
  };

  for (const folder of folders) {
    const projectDir = path.join(dir, folder);
    const projectPath = path.join(projectDir, PROJECT_FILE);
    const projectFile = label(projectPath);
    const digest = createHash('sha256');
    const text = await readFile(projectPath, 'utf8').catch(() => null);
    if (text === null) {
      problems.error(projectFile, '', 'file is unreadable');
      continue;
    }
    digest.update(`${PROJECT_FILE}\0${text}\0`);
    const yaml = parseYaml(text, projectFile, problems);
    const built = yaml === undefined ? null : await buildProject({ raw: toStored(yaml), file: projectFile, folder, projectDir, owner: users.owner, problems });

    const seedsDir = path.join(projectDir, DASHBOARDS_DIR);
    const names = (await readdir(seedsDir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
    if (names.length === 0) problems.warn(projectFile, '', `no ${DASHBOARDS_DIR}/*.json: the project gets no dashboards`);
    const files = [];
    for (const name of names) {
      const filePath = path.join(seedsDir, name);
      const fileText = await readFile(filePath, 'utf8').catch(() => null);
      if (fileText === null) {
        problems.error(label(filePath), '', 'file is unreadable');
        continue;
      }
      digest.update(`${DASHBOARDS_DIR}/${name}\0${fileText}\0`);
      const raw = parseExtendedJson(fileText, label(filePath), problems);
      if (raw !== undefined) files.push({ file: label(filePath), raw: toStored(raw) });
    }
    if (!built) continue;
    for (const sample of built.samples) digest.update(`data\0${sample}\0`);

    claim(built.project._id, projectFile, 'id');
    built.project.workflows.forEach((wf, w) => {
      claim(wf._id, projectFile, `workflows[${w}].id`);
      wf.data_collections.forEach((dc, d) => claim(dc._id, projectFile, `workflows[${w}].data_collections[${d}].id`));
    });
    const tags = new Map<string, number>();
    for (const dc of built.dcs) tags.set(dc.doc.data_collection_tag, (tags.get(dc.doc.data_collection_tag) ?? 0) + 1);
    for (const [tag, count] of tags)
      if (count > 1) problems.warn(projectFile, '', `DC tag "${tag}" is used by ${count} data collections of this project: a look-up by tag is ambiguous`);

    const dashboards = buildDashboards(files, built.project, users.owner, problems);
    for (const { file, doc } of dashboards) {
      // A main tab may share its project's id (ampliseq's does); any other reuse is an error.
      if (!doc._id.equals(built.project._id)) claim(doc._id, file, '_id');
    }
    const projectDigest = digest.digest('hex');
    overall.update(`${folder}\0${projectDigest}\0`);
    details.push({ folder, projectFile, dcs: built.dcs, dashboards });
    projects.push({
      folder,
      digest: projectDigest,
      project: built.project,
      dashboards: dashboards.map((d) => d.doc),
      deltatables: built.deltatables,
      multiqc: built.multiqc,
    });
  }

  if (problems.errors.length > 0) return { bundle: null, details, problems };
  const bundle: SeedBundle = {
    digest: overall.digest('hex'),
    users: users.users,
    groups: users.groups,
    projects,
    generatedPasswords: users.generatedPasswords,
  };
  assertShapes(bundle);
  return { bundle, details, problems };
}

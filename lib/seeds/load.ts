import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { buildSeedBundle, type Credentials, type SeedBundle, type SeedProjectFiles } from './build';
import { SeedValidationError, zodProblems, type SeedProblem } from './errors';
import { seedDashboardsSchema, seedProjectSchema, seedUsersSchema } from './schema';

/**
 * Reads every file in the seeds folder, validates it completely and builds the documents to write.
 * Throws SeedValidationError naming each file and field that is wrong. Nothing touches the database.
 *
 * Layout: `users.json`, and one folder per project holding `project.json` and `dashboards.json`.
 */
export async function loadSeeds(dir: string, credentials: Credentials): Promise<SeedBundle> {
  const problems: SeedProblem[] = [];
  const hash = createHash('sha256');
  const label = (file: string) => path.join(path.basename(dir), path.relative(dir, file));

  async function readJson<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S> | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      problems.push({ file: label(file), field: '', message: 'file is missing or unreadable' });
      return undefined;
    }
    hash.update(`${path.relative(dir, file)}\0${text}\0`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      problems.push({ file: label(file), field: '', message: `not valid JSON: ${(error as Error).message}` });
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      problems.push(...zodProblems(label(file), parsed.error));
      return undefined;
    }
    return parsed.data;
  }

  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    throw new SeedValidationError([{ file: dir, field: '', message: 'seeds folder is missing or unreadable' }]);
  }
  if (entries.length === 0) {
    throw new SeedValidationError([{ file: dir, field: '', message: 'no project folders (each needs project.json and dashboards.json)' }]);
  }

  const users = await readJson(path.join(dir, 'users.json'), seedUsersSchema);
  const projects: SeedProjectFiles[] = [];
  for (const name of entries) {
    const projectFile = path.join(dir, name, 'project.json');
    const dashboardsFile = path.join(dir, name, 'dashboards.json');
    const project = await readJson(projectFile, seedProjectSchema);
    const dashboards = await readJson(dashboardsFile, seedDashboardsSchema);
    if (project && dashboards) {
      projects.push({ project, dashboards, projectFile: label(projectFile), dashboardsFile: label(dashboardsFile) });
    }
  }
  if (problems.length > 0 || !users) throw new SeedValidationError(problems);

  return buildSeedBundle({
    users,
    usersFile: label(path.join(dir, 'users.json')),
    projects,
    digest: hash.digest('hex'),
    credentials,
  });
}

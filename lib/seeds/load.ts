import type { Credentials, SeedBundle } from './build';
import { SeedValidationError } from './errors';
import { readSeeds } from './read';

/**
 * Reads SEEDS_DIR (depictio's seed folders: project folders at any depth, each a `project.yaml`
 * and `.db_seeds/*.json`, plus an optional `users.yaml` of ours), validates everything and builds
 * the documents to write. Throws SeedValidationError naming each file and JSON path that depictio
 * would reject. Nothing touches the database: it runs before any lock is taken.
 */
export async function loadSeeds(dir: string, credentials: Credentials): Promise<SeedBundle> {
  const { bundle, problems } = await readSeeds(dir, credentials);
  if (!bundle) throw new SeedValidationError(problems.errors);
  return bundle;
}

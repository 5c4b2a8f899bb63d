import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadSeeds } from '../../lib/seeds/load';
import { PROJECT_ROOT } from './cli';

export const SEEDS_DIR = path.join(PROJECT_ROOT, 'seeds');
/** depictio v0.8.2's own seed folders (test data in ../shared, never in the project). */
export const DEPICTIO_V082_DIR = path.join(PROJECT_ROOT, '..', 'shared', 'reference', 'depictio-v0.8.2');
export const TEST_PASSWORDS = { ADMIN_PASSWORD: 'admin-password-for-tests', TEST_USER_PASSWORD: 'viewer-password-for-tests' };

export const loadTestSeeds = (dir = SEEDS_DIR) => loadSeeds(dir, { passwords: TEST_PASSWORDS });

/**
 * A copy of a seeds folder with one file changed by `edit` (a project.yaml or a .db_seeds JSON
 * file, edited as plain data: Extended JSON stays `{"$oid": …}`), to test validation.
 */
export async function seedsWith(file: string, edit: (data: any) => void, from = SEEDS_DIR): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seeds-'));
  await cp(from, dir, { recursive: true });
  const target = path.join(dir, file);
  const yaml = /\.ya?ml$/.test(file);
  const data = yaml ? parse(await readFile(target, 'utf8')) : JSON.parse(await readFile(target, 'utf8'));
  edit(data);
  await writeFile(target, yaml ? stringify(data) : JSON.stringify(data, null, 2));
  return dir;
}

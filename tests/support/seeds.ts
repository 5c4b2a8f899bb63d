import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadSeeds } from '../../lib/seeds/load';
import { PROJECT_ROOT } from './cli';

export const SEEDS_DIR = path.join(PROJECT_ROOT, 'seeds');
export const TEST_PASSWORDS = { ADMIN_PASSWORD: 'admin-password-for-tests', TEST_USER_PASSWORD: 'viewer-password-for-tests' };

export const loadTestSeeds = (dir = SEEDS_DIR) => loadSeeds(dir, { passwords: TEST_PASSWORDS });

/** A copy of the seeds folder with one file changed by `edit`, to test validation. */
export async function seedsWith(file: string, edit: (json: any) => void): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seeds-'));
  await cp(SEEDS_DIR, dir, { recursive: true });
  const target = path.join(dir, file);
  const json = JSON.parse(await readFile(target, 'utf8'));
  edit(json);
  await writeFile(target, JSON.stringify(json, null, 2));
  return dir;
}

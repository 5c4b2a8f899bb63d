/**
 * The Projects page's provenance (issue 11 part 4), against a real database seeded by a worker:
 * each project's seed folder, its last seeding (run and time, from `seeded-project` events) and
 * whether its folder changed since (the recorded digest against the seeds' digest now).
 */
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { loadProjects } from '../../lib/console/projects';
import { currentSeedDigests } from '../../lib/console/seed-digests';
import { config } from '../../lib/env';
import { useTestDb } from '../support/db';
import { seedsWith } from '../support/seeds';
import { seedAs } from '../support/worker-options';

const { db } = useTestDb(import.meta.url);

const IRIS = '646b0f3c1e4a2d7f8e5b8c9a';
const PENGUINS = '646b0f3c1e4a2d7f8e5b8c9d';
const AMPLISEQ = '646b0f3c1e4a2d7f8e5b8ca2';

const digestsOf = (dir: string) => currentSeedDigests({ ...config(), SEEDS_DIR: dir });
const seedOf = async (dir: string) => {
  const view = await loadProjects(db(), digestsOf(dir));
  return Object.fromEntries(view.projects.map((p) => [p.id, p.seed]));
};

describe('projects: where each came from', () => {
  it('after a seeding: the folder, the run and time, and the folder unchanged', async () => {
    await seedAs(db(), 'prov-g1', true);
    const seed = await seedOf(config().SEEDS_DIR);
    expect(seed[IRIS]).toMatchObject({ folder: 'init/iris', folder_state: 'unchanged', last_seeded: { run_id: 'run-prov-g1' } });
    expect(seed[PENGUINS]).toMatchObject({ folder: 'init/penguins', folder_state: 'unchanged' });
    expect(seed[AMPLISEQ]).toMatchObject({ folder: 'nf-core/ampliseq/2.14.0', folder_state: 'unchanged' });
    const event = await db().collection('init_history').findOne({ event: 'seeded-project', 'detail.project_id': IRIS });
    expect(seed[IRIS]!.last_seeded!.at).toBe((event!.at as Date).toISOString());
  });

  it('the latest seeding counts: a second run replaces the first', async () => {
    await seedAs(db(), 'prov-g2', true);
    const seed = await seedOf(config().SEEDS_DIR);
    expect(seed[IRIS]!.last_seeded!.run_id).toBe('run-prov-g2');
  });

  it("one folder edited: that project's folder changed, the others' did not", async () => {
    const dir = await seedsWith('init/iris/.db_seeds/dashboard.json', (d) => (d.title = `${d.title} (edited)`));
    try {
      const seed = await seedOf(dir);
      expect(seed[IRIS]!.folder_state).toBe('changed');
      expect(seed[PENGUINS]!.folder_state).toBe('unchanged');
      expect(seed[AMPLISEQ]!.folder_state).toBe('unchanged');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a folder gone from the seeds, seeds that do not load, a project no folder ships', async () => {
    const dir = await seedsWith('init/penguins/project.yaml', () => {});
    try {
      await rm(path.join(dir, 'init/iris'), { recursive: true });
      expect((await seedOf(dir))[IRIS]).toMatchObject({ folder: 'init/iris', folder_state: 'removed' });
      // Unparseable YAML: the page says the folder is not readable, and still names the recorded folder.
      await writeFile(path.join(dir, 'init/penguins/project.yaml'), 'name: [unclosed');
      const unreadable = await seedOf(dir);
      expect(unreadable[PENGUINS]).toMatchObject({ folder: 'init/penguins', folder_state: 'unreadable', last_seeded: { run_id: 'run-prov-g2' } });
      expect((await seedOf(path.join(dir, 'no-such-folder')))[AMPLISEQ]!.folder_state).toBe('unreadable');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const other = new ObjectId();
    await db().collection('projects').insertOne({ _id: other, name: 'made by hand', workflows: [] });
    expect((await seedOf(config().SEEDS_DIR))[other.toHexString()]).toEqual({ folder: null, last_seeded: null, folder_state: 'not-from-folder' });
  });

  it('the seeds are loaded again only when a file changes', async () => {
    const dir = await seedsWith('init/iris/project.yaml', () => {});
    try {
      const first = await digestsOf(dir);
      expect(await digestsOf(dir)).toBe(first);
      const file = path.join(dir, 'init/iris/.db_seeds/dashboard.json');
      await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), title: 'renamed' }));
      // A later mtime for certain, whatever the file system's time resolution.
      await utimes(file, new Date(), new Date(Date.now() + 5_000));
      const second = await digestsOf(dir);
      expect(second).not.toBe(first);
      expect(second.readable && second.projects.get(IRIS)!.digest).not.toBe(first.readable && first.projects.get(IRIS)!.digest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

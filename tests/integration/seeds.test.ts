import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ObjectId, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDatabase } from '../../lib/audit/run-audit';
import { auditReportSchema } from '../../lib/audit/types';
import { DASHBOARDS, INIT_HISTORY, INITIALIZATION, LOCK_ID, PROJECTS, STATE_ID } from '../../lib/db/collections';
import { workersReportSchema } from '../../lib/history/verdict';
import { runWorker, type WorkerOutcome } from '../../lib/init/run-worker';
import { workerIdentity } from '../../lib/lock/identity';
import { SeedValidationError } from '../../lib/seeds/errors';
import { seedPlanSchema } from '../../lib/seeds/plan';
import { lastJsonLine, runCli } from '../support/cli';
import { mongoUri, useTestDb } from '../support/db';
import { DEPICTIO_V082_DIR, SEEDS_DIR, TEST_PASSWORDS, loadTestSeeds, seedsWith } from '../support/seeds';
import { snapshot } from '../support/snapshot';

const main = useTestDb(import.meta.url);
const twice = useTestDb(`${import.meta.url}-twice`);
const tempDirs: string[] = [];
afterAll(async () => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const SEEDED = ['dashboards', 'deltatables', 'groups', 'multiqc', 'projects', 'users'];

async function badSeeds(file: string, edit: (json: any) => void): Promise<string> {
  const dir = await seedsWith(file, edit);
  tempDirs.push(dir);
  return dir;
}

async function seed(db: Db, generation: string, wipe: boolean, runId = `run-${generation}`): Promise<WorkerOutcome> {
  return runWorker(db, {
    identity: workerIdentity(`seeder-${generation}`),
    seeds: await loadTestSeeds(),
    wipe,
    generation,
    runId,
    leaseMs: 30_000,
    pollMs: 20,
    waitTimeoutMs: 20_000,
  });
}

/** The seeded collections only, without the stamps that say which run wrote them. */
async function seededData(db: Db, omit = ['seeded_fence', 'seeded_run_id']): Promise<Record<string, Document[]>> {
  const all = await snapshot(db, { omit });
  return Object.fromEntries(SEEDED.map((name) => [name, all[name] ?? []]));
}

const BAD_CASES = [
  {
    what: 'a malformed ObjectId (a DC id in project.yaml)',
    file: 'init/iris/project.yaml',
    edit: (p: any) => (p.workflows[0].data_collections[0].id = '646b0f3c1e4a2d7f8e5b8c9Z'),
    field: 'workflows[0].data_collections[0].id',
    says: 'expected a 24-hex ObjectId',
  },
  {
    what: 'a bad Extended JSON $oid in a dashboard component',
    file: 'init/iris/.db_seeds/dashboard.json',
    edit: (d: any) => (d.stored_metadata[2].dc_id = { $oid: 'not-an-object-id' }),
    field: 'stored_metadata[2].dc_id',
    says: 'not valid Extended JSON $oid',
  },
  {
    what: 'a DC type depictio does not know',
    file: 'init/penguins/project.yaml',
    edit: (p: any) => (p.workflows[0].data_collections[1].config.type = 'Spreadsheet'),
    field: 'workflows[0].data_collections[1].config.type',
    says: 'type must be one of',
  },
  {
    what: "a missing required field (the project's name)",
    file: 'init/penguins/project.yaml',
    edit: (p: any) => delete p.name,
    field: 'name',
    says: 'Project name cannot be empty',
  },
];

describe('seed validation', () => {
  it.each(BAD_CASES)('rejects $what, naming the file and the JSON path', async ({ file, edit, field, says }) => {
    const dir = await badSeeds(file, edit);
    const label = `${path.basename(dir)}/${file}`;
    const error = await loadTestSeeds(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SeedValidationError);
    const problems = (error as SeedValidationError).problems;
    expect(problems).toContainEqual(expect.objectContaining({ file: label, field }));
    expect(problems.find((p) => p.file === label && p.field === field)?.message).toContain(says);
    expect((error as Error).message).toContain(`${label}: ${field}: `);
    expect((error as Error).message).toContain('nothing was written');
  });

  it('accepts the seeds as shipped: one project per folder, at any depth', async () => {
    const bundle = await loadTestSeeds();
    expect(bundle.projects.map((p) => [p.folder, p.project.name])).toEqual([
      ['init/iris', 'Iris Dataset Project Data Analysis'],
      ['init/penguins', 'Palmer Penguins Species Comparison'],
      ['nf-core/ampliseq/2.14.0', 'Ampliseq Microbial Community Analysis'],
    ]);
    for (const p of bundle.projects) expect(p.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('seeding', () => {
  beforeAll(async () => {
    // An initialized database: seeded data, a released lock and a history.
    const outcome = await seed(main.db(), 'g-base', true);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ outcome: 'acquired', wiped: true });
  });

  it.each(BAD_CASES.slice(0, 2))(
    'a worker process given $what exits 2 naming file and field, and leaves the database untouched',
    async ({ file, edit, field }) => {
      const dir = await badSeeds(file, edit);
      const before = await snapshot(main.db());
      // The database really holds what a wipe would destroy.
      expect(before[PROJECTS]).toHaveLength(3);
      expect(before[INITIALIZATION]?.map((d) => d._id).sort()).toEqual([LOCK_ID, STATE_ID]);
      expect(before[INIT_HISTORY]?.length).toBeGreaterThan(0);

      const result = await runCli('worker', ['--wipe', '--generation', 'gbad'], {
        MONGODB_URI: mongoUri(),
        MONGODB_DB: main.dbName,
        SEEDS_DIR: dir,
      });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${path.basename(dir)}/${file}`);
      expect(result.stderr).toContain(field);
      expect(await snapshot(main.db())).toEqual(before);
    },
    60_000,
  );

  it('all DC ids in the seeded dashboards resolve to a DC of their own project, and the audit is clean', async () => {
    const db = main.db();
    expect(await db.collection(PROJECTS).countDocuments()).toBe(3);
    const dashboards = await db.collection(DASHBOARDS).find({}).toArray();
    const components = Object.fromEntries(dashboards.map((d) => [String(d._id), (d.stored_metadata as unknown[]).length]));
    expect(components).toEqual({
      '6824cb3b89d2b72169309737': 11, // Iris Dashboard demo
      '6824cb3b89d2b72169309738': 14, // Penguins Species Analysis
      '646b0f3c1e4a2d7f8e5b8ca2': 9, // nf-core/ampliseq (main tab)
      '646b0f3c1e4a2d7f8e5b8cb3': 18, // Community Analysis
      '646b0f3c1e4a2d7f8e5b8cb4': 11, // Diff. Abundance
    });

    let checked = 0;
    const ampliseqTags = new Map<string, string>();
    for (const dashboard of dashboards) {
      for (const component of dashboard.stored_metadata as Array<{ dc_id: unknown; wf_id: unknown; data_collection_tag?: string }>) {
        if (component.dc_id === null) continue;
        expect(component.dc_id).toBeInstanceOf(ObjectId);
        const project = await db.collection(PROJECTS).findOne({ 'workflows.data_collections._id': component.dc_id });
        expect(project, `dc_id ${String(component.dc_id)} of dashboard ${String(dashboard._id)}`).not.toBeNull();
        expect(String(project!._id)).toBe(String(dashboard.project_id));
        const workflow = (project!.workflows as Array<{ _id: ObjectId; data_collections: Array<{ _id: ObjectId; data_collection_tag: string }> }>).find((wf) =>
          wf.data_collections.some((dc) => dc._id.equals(component.dc_id as ObjectId)),
        )!;
        expect(String(component.wf_id)).toBe(String(workflow._id));
        const dc = workflow.data_collections.find((d) => d._id.equals(component.dc_id as ObjectId))!;
        expect(component.data_collection_tag).toBe(dc.data_collection_tag);
        if (String(dashboard.project_id) === '646b0f3c1e4a2d7f8e5b8ca2') ampliseqTags.set(String(component.dc_id), dc.data_collection_tag);
        checked += 1;
      }
    }
    expect(checked).toBe(11 + 14 + 9 + 18 + 11);
    // The incident's verification table for the ampliseq dashboard (main tab and both child tabs).
    expect(Object.fromEntries([...ampliseqTags].sort())).toEqual({
      '646b0f3c1e4a2d7f8e5b8ca4': 'multiqc_data',
      '646b0f3c1e4a2d7f8e5b8ca5': 'metadata',
      '646b0f3c1e4a2d7f8e5b8ca8': 'alpha_rarefaction',
      '646b0f3c1e4a2d7f8e5b8ca9': 'taxonomy_composition',
      '646b0f3c1e4a2d7f8e5b8caa': 'ancom_volcano',
    });

    const audit = await auditDatabase(db);
    expect(audit.summary).toMatchObject({ dashboards: 3, components: 63, error: 0, warning: 0 });
  });

  it('seeding again gives the same documents: twice without wipe, then with a wipe', async () => {
    const db = twice.db();
    // First seeding of an empty database, without a wipe.
    expect(await seed(db, 'seed-a', false)).toMatchObject({ outcome: 'acquired', wiped: false });
    const first = await seededData(db);
    expect(first.projects).toHaveLength(3);
    expect(first.dashboards).toHaveLength(5);

    // A worker without wipe, a complete state and the same seed digest skips by design; an earlier
    // run that failed after writing (its state says failed) makes the next one seed over the data.
    const markFailed = () => db.collection(INITIALIZATION).updateOne({ _id: STATE_ID } as never, { $set: { status: 'failed', error: 'test: a failed run' } });

    // Every seeded document was really rewritten by that run, not left over from the first one.
    const expectWrittenBy = async (outcome: WorkerOutcome, runId: string) => {
      const fence = (outcome as { fence: number }).fence;
      const stamped = await seededData(db, []);
      for (const name of SEEDED) {
        for (const doc of stamped[name]!) expect(doc, `${name} ${String(doc._id)}`).toMatchObject({ seeded_fence: fence, seeded_run_id: runId });
      }
    };

    await markFailed();
    const second = await seed(db, 'seed-b', false);
    expect(second).toMatchObject({ outcome: 'acquired', wiped: false });
    await expectWrittenBy(second, 'run-seed-b');
    expect(await seededData(db)).toEqual(first);

    await markFailed();
    const third = await seed(db, 'wipe-c', true);
    expect(third).toMatchObject({ outcome: 'acquired', wiped: true });
    await expectWrittenBy(third, 'run-wipe-c');
    expect(await seededData(db)).toEqual(first);
  });
});

describe('npm run seeds -- check', () => {
  it('on the shipped seeds: exit 0, every project, DC, dashboard and registration, no problem', async () => {
    const result = await runCli('seeds', ['check', '--json'], { SEEDS_DIR });
    expect(result.code, result.stderr).toBe(0);
    const plan = seedPlanSchema.parse(lastJsonLine(result.stdout));
    expect(plan).toMatchObject({ errors: [], warnings: [] });
    expect(plan.totals).toEqual({ projects: 3, workflows: 3, data_collections: 9, dashboards: 5, components: 63, deltatables: 8, multiqc: 1 });
  }, 60_000);

  it('on a folder with errors: exit 1, each error with its file and path apart from the warnings; a missing folder: exit 2', async () => {
    const dir = await badSeeds('init/iris/.db_seeds/dashboard.json', (d: any) => {
      d.stored_metadata[0].dc_id = { $oid: '646b0f3c1e4a2d7f8e5b8ca6' }; // a DC id of no project
      d.stored_metadata[1].dc_config._id = { $oid: '68ee1ce0766d13e034d230f7' }; // a stale snapshot
    });
    const result = await runCli('seeds', ['check', '--seeds', dir], {});
    expect(result.code, result.stderr).toBe(1);
    const file = `${path.basename(dir)}/init/iris/.db_seeds/dashboard.json`;
    const [errors, warnings] = result.stdout.split(/\n\d+ warnings?:\n/);
    expect(errors).toContain(`${file}: stored_metadata[0]: `);
    expect(errors).toContain('646b0f3c1e4a2d7f8e5b8ca6 matches no data collection');
    expect(warnings).toContain(`${file}: stored_metadata[1]: `);
    expect(warnings).toContain('dc_config._id 68ee1ce0766d13e034d230f7 disagrees with dc_id 646b0f3c1e4a2d7f8e5b8c9c');
    expect(result.stdout).toContain('FAIL: 1 error, 1 warning');

    const missing = await runCli('seeds', ['check', '--seeds', path.join(dir, 'nothing-here')], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('seeds folder is missing or unreadable');
  }, 60_000);
});

const v082 = useTestDb(`${import.meta.url}-depictio-v082`);
const hasV082 = existsSync(DEPICTIO_V082_DIR);
if (!hasV082) console.warn(`skipping depictio v0.8.2 seed tests: ${DEPICTIO_V082_DIR} is absent (test data in ../shared)`);

describe.skipIf(!hasV082)("depictio v0.8.2's own seed folders", () => {
  it('seeds check lists exactly its 3 projects, their DCs and 5 dashboard documents; the iris dc_config._id snapshots are warnings', async () => {
    const result = await runCli('seeds', ['check', '--seeds', DEPICTIO_V082_DIR, '--json'], {});
    expect(result.code, result.stderr).toBe(0);
    const plan = seedPlanSchema.parse(lastJsonLine(result.stdout));
    expect(plan.errors).toEqual([]);
    expect(plan.projects.map((p) => [p.folder, p.id])).toEqual([
      ['init/iris', '646b0f3c1e4a2d7f8e5b8c9a'],
      ['init/penguins', '646b0f3c1e4a2d7f8e5b8c9d'],
      ['nf-core/ampliseq/2.14.0', '646b0f3c1e4a2d7f8e5b8ca2'],
    ]);
    const dcs = plan.projects.map((p) => p.workflows.flatMap((w) => w.data_collections.map((dc) => `${dc.tag}:${dc.type}`)));
    expect(dcs).toEqual([
      ['iris_table:table'],
      ['physical_features:table', 'demographic_data:table', 'joined_penguins_complete:table'],
      [
        'multiqc_data:multiqc',
        'metadata:table',
        'alpha_rarefaction:table',
        'taxonomy_composition:table',
        'ancom_volcano:table',
        'alpha_diversity:table',
        'taxonomy_rel_abundance:table',
        'ancombc_results:table',
        'taxonomy_heatmap:table',
      ],
    ]);
    expect(plan.projects.flatMap((p) => p.dashboards.map((d) => [d.id, d.components])).sort()).toEqual(
      [
        ['6824cb3b89d2b72169309737', 11],
        ['6824cb3b89d2b72169309738', 14],
        ['646b0f3c1e4a2d7f8e5b8ca2', 10],
        ['646b0f3c1e4a2d7f8e5b8cb3', 20],
        ['646b0f3c1e4a2d7f8e5b8cb4', 12],
      ].sort(),
    );
    expect(plan.totals).toMatchObject({ projects: 3, dashboards: 5, deltatables: 12, multiqc: 1 });
    const snapshotWarnings = plan.warnings.filter((w) =>
      w.message.includes('dc_config._id 68ee1ce0766d13e034d230f7 disagrees with dc_id 646b0f3c1e4a2d7f8e5b8c9c'),
    );
    expect(snapshotWarnings).toHaveLength(11);
  }, 60_000);

  it('npm run workers seeds it: one acquired, one wipe, 3 projects, 5 dashboards, 0 invalid components; the audit finds no error', async () => {
    const env = { MONGODB_URI: mongoUri(), MONGODB_DB: v082.dbName, SEEDS_DIR: DEPICTIO_V082_DIR, ...TEST_PASSWORDS };
    const result = await runCli('workers', ['-n', '8', '--wipe', '--generation', 'g', '--json'], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(workersReportSchema.parse(lastJsonLine(result.stdout))).toMatchObject({ acquired: 1, wipes: 1, projects: 3, dashboards: 5, invalid_components: 0 });
    const audit = await runCli('audit', ['--json'], env);
    expect(audit.code, audit.stderr).toBe(0);
    const report = auditReportSchema.parse(lastJsonLine(audit.stdout));
    expect(report.summary).toMatchObject({ error: 0, components: 67 });
    expect(report.summary.warning).toBeGreaterThanOrEqual(11);
  }, 120_000);
});

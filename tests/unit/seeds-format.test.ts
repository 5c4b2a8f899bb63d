import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ObjectId } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { SeedValidationError } from '../../lib/seeds/errors';
import { loadSeeds } from '../../lib/seeds/load';
import { seedPlan } from '../../lib/seeds/plan';

const CREDENTIALS = { passwords: { ADMIN_PASSWORD: 'admin-password-for-tests', TEST_USER_PASSWORD: 'viewer-password-for-tests' } };
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const PROJECT = 'aaaaaaaaaaaaaaaaaaaaaa01';
const WF = 'aaaaaaaaaaaaaaaaaaaaaa02';
const DC = 'aaaaaaaaaaaaaaaaaaaaaa03';
const DC2 = 'aaaaaaaaaaaaaaaaaaaaaa04';
const DASH = 'aaaaaaaaaaaaaaaaaaaaaa05';

const projectYaml = (dataFile = '/app/depictio/projects/lab/deep/demo/data/table.tsv') => `
id: "${PROJECT}"
name: Demo
is_public: true
some_future_field: { kept: true }
workflows:
  - id: "${WF}"
    name: wf
    engine: { name: python }
    data_location: { structure: flat, locations: [/app/depictio/projects/lab/deep/demo] }
    data_collections:
      - id: "${DC}"
        data_collection_tag: measures
        config:
          type: Table
          scan: { mode: single, scan_parameters: { filename: ${dataFile} } }
          dc_specific_properties:
            format: TSV
            polars_kwargs: { separator: "\\t" }
            columns_description: { id: "row id", size: "a size" }
      - id: "${DC2}"
        data_collection_tag: tracks
        config:
          type: JBrowse2
          scan: { mode: recursive, scan_parameters: { regex_config: { pattern: ".*\\\\.bed" } } }
          dc_specific_properties: { assembly: hg38 }
`;

const dashboard = {
  _id: { $oid: DASH },
  dashboard_id: DASH,
  project_id: { $oid: PROJECT },
  title: 'Demo board',
  last_saved_ts: { $date: '2025-10-15T07:25:30Z' },
  stored_metadata: [
    {
      index: 'not-a-uuid-filter',
      component_type: 'interactive',
      dc_id: { $oid: DC },
      wf_id: { $oid: WF },
      column_name: 'size',
      interactive_component_type: 'RangeSlider',
      dc_config: { _id: { $oid: 'bbbbbbbbbbbbbbbbbbbbbb01' } },
    },
    { index: 'volcano-1', component_type: 'advanced_viz', dc_id: { $oid: DC }, wf_id: { $oid: WF }, viz_kind: 'volcano', roles: { x: 'size' } },
    { index: 'fig', component_type: 'figure', dc_id: DC, wf_id: WF, dict_kwargs: { x: 'size', nbins: 30, log_x: false, labels: { size: 'Size' } } },
    { index: 'note', component_type: 'text', dc_id: null, wf_id: null },
  ],
};

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seeds-format-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

const base = (extra: Record<string, string> = {}) => ({
  'lab/deep/demo/project.yaml': projectYaml(),
  'lab/deep/demo/.db_seeds/board.json': JSON.stringify(dashboard),
  'lab/deep/demo/data/table.tsv': 'id\tsize\tlabel\n1\t2.5\ta\n2\t3\tb\n',
  ...extra,
});

describe("depictio's seed folder format", () => {
  it('loads a project three folders deep, converting ids and Extended JSON, keeping everything else as shipped', async () => {
    const bundle = await loadSeeds(await folder(base()), CREDENTIALS);
    expect(bundle.projects.map((p) => p.folder)).toEqual(['lab/deep/demo']);
    const { project, dashboards, deltatables } = bundle.projects[0]!;
    expect(project._id).toEqual(new ObjectId(PROJECT));
    expect(project).toMatchObject({ some_future_field: { kept: true }, project_type: 'basic' });
    expect(project.permissions.owners[0]).toMatchObject({ _id: new ObjectId('67658ba033c8b59ad489d7c7'), email: 'admin@example.com', is_admin: true });
    const wf = project.workflows[0]!;
    expect(wf).toMatchObject({ _id: new ObjectId(WF), workflow_tag: 'python/wf' });
    expect(wf.data_collections.map((dc) => dc.config.type)).toEqual(['table', 'jbrowse2']);
    // The `id` column of columns_description is a column, not a document id.
    expect(Object.keys(wf.data_collections[0]!.config.dc_specific_properties.columns_description!)).toEqual(['id', 'size']);

    const board = dashboards[0]!;
    expect(board._id).toEqual(new ObjectId(DASH));
    expect(board.dashboard_id).toEqual(new ObjectId(DASH)); // a 24-hex string under an id key
    expect(board.last_saved_ts).toEqual(new Date('2025-10-15T07:25:30Z'));
    const [filter, viz, fig, note] = board.stored_metadata as any[];
    expect(filter.index).toBe('not-a-uuid-filter');
    expect(filter.dc_config._id).toEqual(new ObjectId('bbbbbbbbbbbbbbbbbbbbbb01')); // kept, not rewritten
    expect(viz).toMatchObject({ component_type: 'advanced_viz', viz_kind: 'volcano', roles: { x: 'size' } });
    expect(fig.dc_id).toEqual(new ObjectId(DC));
    expect(fig.dict_kwargs).toEqual({ x: 'size', nbins: 30, log_x: false, labels: { size: 'Size' } });
    expect(note.dc_id).toBeNull();

    // Column specs from the data file (the /app path found inside the project folder), not from columns_description.
    expect(deltatables).toHaveLength(1);
    expect(deltatables[0]!.aggregation[0]!.aggregation_columns_specs).toEqual([
      { name: 'id', type: 'int64' },
      { name: 'size', type: 'float64' },
      { name: 'label', type: 'string' },
      { name: 'depictio_run_id', type: 'string' },
      { name: 'aggregation_time', type: 'datetime' },
    ]);
  });

  it('takes the columns from columns_description when the data file is not there', async () => {
    const files = base({ 'lab/deep/demo/project.yaml': projectYaml('/app/depictio/projects/lab/deep/demo/data/missing.tsv') });
    const bundle = await loadSeeds(await folder(files), CREDENTIALS);
    expect(bundle.projects[0]!.deltatables[0]!.aggregation[0]!.aggregation_columns_specs.map((c) => c.name)).toEqual([
      'id',
      'size',
      'depictio_run_id',
      'aggregation_time',
    ]);
  });

  it("plans the seeding: a dc_config._id that is not the component's dc_id is a warning, not an error", async () => {
    const plan = await seedPlan(await folder(base()), CREDENTIALS);
    expect(plan.errors).toEqual([]);
    expect(plan.totals).toMatchObject({ projects: 1, workflows: 1, data_collections: 2, dashboards: 1, components: 4, deltatables: 1, multiqc: 0 });
    expect(plan.warnings).toContainEqual(
      expect.objectContaining({ field: 'stored_metadata[0]', message: expect.stringContaining('dc_config._id bbbbbbbbbbbbbbbbbbbbbb01 disagrees with dc_id') }),
    );
  });

  it('a component on a DC of no project is an error of the plan; the loader still accepts it, as depictio does', async () => {
    const bad = { ...dashboard, stored_metadata: [{ index: 'x', component_type: 'card', dc_id: { $oid: 'cccccccccccccccccccccc01' }, column_name: 'size' }] };
    const dir = await folder(base({ 'lab/deep/demo/.db_seeds/board.json': JSON.stringify(bad) }));
    await expect(loadSeeds(dir, CREDENTIALS)).resolves.toBeTruthy();
    const plan = await seedPlan(dir, CREDENTIALS);
    expect(plan.errors).toContainEqual(
      expect.objectContaining({ field: 'stored_metadata[0]', message: expect.stringContaining('matches no data collection') }),
    );
  });

  it('rejects what depictio rejects, listing every problem with its file and JSON path', async () => {
    const broken = projectYaml().replace('type: JBrowse2', 'type: Spreadsheet').replace('structure: flat', 'structure: nested');
    const board = { ...dashboard, project_id: { $oid: 'not hex' } };
    const dir = await folder(base({ 'lab/deep/demo/project.yaml': broken, 'lab/deep/demo/.db_seeds/board.json': JSON.stringify(board) }));
    const error = await loadSeeds(dir, CREDENTIALS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedValidationError);
    const where = (error as SeedValidationError).problems.map((p) => `${p.file} ${p.field}`);
    const label = path.basename(dir);
    expect(where).toEqual(
      expect.arrayContaining([
        `${label}/lab/deep/demo/project.yaml workflows[0].data_location.structure`,
        `${label}/lab/deep/demo/project.yaml workflows[0].data_collections[1].config.type`,
        `${label}/lab/deep/demo/.db_seeds/board.json project_id`,
      ]),
    );
  });

  it("adds the users file's users and groups to depictio's admin and test user, with their static ids", async () => {
    const users = `users:
  - { id: "dddddddddddddddddddddd01", email: analyst@example.com, password_from: TEST_USER_PASSWORD }
groups:
  - { id: "dddddddddddddddddddddd02", name: analysts, members: [analyst@example.com, admin@example.com] }
`;
    const bundle = await loadSeeds(await folder(base({ 'users.yaml': users })), { ...CREDENTIALS, adminEmail: 'root@lab.example' });
    expect(bundle.users.map((u) => [u._id.toHexString(), u.email, u.is_admin])).toEqual([
      ['67658ba033c8b59ad489d7c7', 'root@lab.example', true],
      ['67658ba033c8b59ad489d7c8', 'test_user@example.com', false],
      ['dddddddddddddddddddddd01', 'analyst@example.com', false],
    ]);
    expect(bundle.groups.map((g) => [g.name, g.users_ids.map((id) => id.toHexString().slice(-2))])).toEqual([
      ['admin', ['c7']],
      ['users', ['c8', 'c7']],
      ['analysts', ['01', 'c7']],
    ]);
    expect(bundle.projects[0]!.project.permissions.owners[0]).toMatchObject({ email: 'root@lab.example' });
    const bad = await loadSeeds(await folder(base({ 'users.yaml': 'users:\n  - { id: "x", email: nope, password_from: SECRET }\n' })), CREDENTIALS).catch(
      (e: unknown) => e,
    );
    expect((bad as SeedValidationError).problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['users[0].id', 'users[0].email', 'users[0].password_from']),
    );
  });

  it("gives each project folder its own digest: editing one folder's dashboard changes its digest only", async () => {
    const other = projectYaml().replaceAll('aaaaaaaaaaaaaaaaaaaaaa0', 'eeeeeeeeeeeeeeeeeeeeee0').replace('name: Demo', 'name: Other');
    const files = base({ 'other/project.yaml': other });
    const first = await loadSeeds(await folder(files), CREDENTIALS);
    const edited = { ...dashboard, title: 'Demo board, edited' };
    const second = await loadSeeds(await folder({ ...files, 'lab/deep/demo/.db_seeds/board.json': JSON.stringify(edited) }), CREDENTIALS);
    const digests = (b: typeof first) => Object.fromEntries(b.projects.map((p) => [p.folder, p.digest]));
    expect(Object.keys(digests(first))).toEqual(['lab/deep/demo', 'other']);
    expect(digests(second).other).toBe(digests(first).other);
    expect(digests(second)['lab/deep/demo']).not.toBe(digests(first)['lab/deep/demo']);
    expect(second.digest).not.toBe(first.digest);
  });
});

import { ObjectId, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromStored } from '../../lib/audit/stored-value';
import { auditReportSchema, type AuditReport, type ComponentRow } from '../../lib/audit/types';
import { DashboardNotFoundError, auditDatabase } from '../../lib/audit/run-audit';
import { DASHBOARDS, DELTATABLES, PROJECTS } from '../../lib/db/collections';
import { runWorker } from '../../lib/init/run-worker';
import { workerIdentity } from '../../lib/lock/identity';
import type { SeedBundle } from '../../lib/seeds/build';
import { runCli } from '../support/cli';
import { mongoUri, scratchDbName, useTestDb } from '../support/db';
import { loadTestSeeds } from '../support/seeds';
import { SEEDED_ADMIN, sessionCookie, signedRequest } from '../support/session';

const oid = (hex: string) => new ObjectId(hex);

const ID = {
  irisProject: '646b0f3c1e4a2d7f8e5b8c9a',
  irisWorkflow: '646b0f3c1e4a2d7f8e5b8c9b',
  irisTable: '646b0f3c1e4a2d7f8e5b8c9c',
  irisDashboard: '6824cb3b89d2b72169309737',
  penguinsProject: '646b0f3c1e4a2d7f8e5b8c9d',
  penguinsWorkflow: '646b0f3c1e4a2d7f8e5b8c9e',
  physical: '646b0f3c1e4a2d7f8e5b8c9f',
  demographic: '646b0f3c1e4a2d7f8e5b8ca0',
  penguinsJoin: '646b0f3c1e4a2d7f8e5b8ca1',
  penguinsDashboard: '6824cb3b89d2b72169309738',
  ampliseq: '646b0f3c1e4a2d7f8e5b8ca2', // the project's id, and its main tab's
  ampliseqWorkflow: '646b0f3c1e4a2d7f8e5b8ca3',
  multiqc: '646b0f3c1e4a2d7f8e5b8ca4',
  metadata: '646b0f3c1e4a2d7f8e5b8ca5',
  staleDashboard: '646b0f3c1e4a2d7f8e5b8ca6',
  alpha: '646b0f3c1e4a2d7f8e5b8ca8',
  taxonomy: '646b0f3c1e4a2d7f8e5b8ca9',
  ancom: '646b0f3c1e4a2d7f8e5b8caa',
  community: '646b0f3c1e4a2d7f8e5b8cb3',
  diffAbundance: '646b0f3c1e4a2d7f8e5b8cb4',
  testUser: '67658ba033c8b59ad489d7c8',
} as const;

const { client } = useTestDb(import.meta.url);
const scratch: Db[] = [];
let seeds: SeedBundle;
let clean: Db;

beforeAll(async () => {
  seeds = await loadTestSeeds();
  clean = await seeded();
});

afterAll(async () => {
  await Promise.all(scratch.map((db) => db.dropDatabase().catch(() => {})));
});

/** A database seeded the product's way (one worker, the lease, fenced writes), for one test to break. */
async function seeded(): Promise<Db> {
  const db = client().db(scratchDbName('audit'));
  scratch.push(db);
  const outcome = await runWorker(db, {
    identity: workerIdentity('audit-seeder'),
    seeds,
    wipe: true,
    generation: 'g-audit',
    runId: 'run-audit',
    leaseMs: 10_000,
    pollMs: 20,
    waitTimeoutMs: 20_000,
  });
  expect(outcome.outcome).toBe('acquired');
  return db;
}

/** Changes one tab document. */
async function updateTab(db: Db, tabId: string, update: Document): Promise<void> {
  const result = await db.collection(DASHBOARDS).updateOne({ _id: oid(tabId) }, update);
  expect(result.matchedCount).toBe(1);
}

/** The rows of one tab, in stored order. */
function tabRows(report: AuditReport, tabId: string): ComponentRow[] {
  return report.dashboards.flatMap((d) => d.components).filter((row) => row.tab_id === tabId);
}

/** The one row at `position` of `tabId`, after checking that every other row of the report is clean. */
function onlyBroken(report: AuditReport, tabId: string, position: number): ComponentRow {
  const row = tabRows(report, tabId)[position]!;
  const others = report.dashboards.flatMap((d) => d.components).filter((r) => r !== row);
  expect(others.filter((r) => r.status !== 'valid' && r.status !== 'n/a')).toEqual([]);
  return row;
}

const reasonsText = (row: ComponentRow) => row.reasons.join(' | ');

describe('the seeded database', () => {
  it('audits clean: three dashboards from five tab documents, every component valid or n/a', async () => {
    const report = auditReportSchema.parse(await auditDatabase(clean));
    expect(report.summary).toMatchObject({ dashboards: 3, components: 63, error: 0, warning: 0 });
    expect(report.dashboards.flatMap((d) => d.tabs)).toHaveLength(5);
    for (const row of report.dashboards.flatMap((d) => d.components)) {
      expect(['valid', 'n/a'], `${row.tab_title} ${row.index}: ${reasonsText(row)}`).toContain(row.status);
    }
    expect(report.dashboards.map((d) => [d.id, d.title, d.components.length])).toEqual([
      [ID.ampliseq, 'nf-core/ampliseq', 38],
      [ID.irisDashboard, 'Iris Dashboard demo', 11],
      [ID.penguinsDashboard, 'Penguins Species Analysis', 14],
    ]);
  });

  it("shows the incident's verification table for the ampliseq dashboard (main tab and its two child tabs, each named)", async () => {
    const report = await auditDatabase(clean, { dashboardId: ID.ampliseq });
    expect(report.dashboards).toHaveLength(1);
    const ampliseq = report.dashboards[0]!;
    expect(ampliseq.tabs.map((t) => [t.id, t.title, t.is_main_tab])).toEqual([
      [ID.ampliseq, 'nf-core/ampliseq', true],
      [ID.community, 'Community Analysis', false],
      [ID.diffAbundance, 'Diff. Abundance', false],
    ]);
    const triples = new Set(ampliseq.components.map((r) => `${r.component_type} ${r.dc_id} ${r.dc_tag} ${r.status}`));
    for (const [type, dc, tag] of [
      ['multiqc', ID.multiqc, 'multiqc_data'],
      ['interactive', ID.metadata, 'metadata'],
      ['figure', ID.alpha, 'alpha_rarefaction'],
      ['figure', ID.taxonomy, 'taxonomy_composition'],
      ['figure', ID.ancom, 'ancom_volcano'],
      ['table', ID.metadata, 'metadata'],
    ]) {
      expect(triples).toContain(`${type} ${dc} ${tag} valid`);
    }
    for (const row of ampliseq.components) {
      expect(row).toMatchObject({ project_id: ID.ampliseq, workflow: 'ampliseq' });
      expect(row.title).toEqual(expect.any(String));
    }
    // Asked for by a child tab's id, the whole dashboard comes back.
    const byChild = await auditDatabase(clean, { dashboardId: ID.diffAbundance });
    expect(byChild.dashboards.map((d) => d.id)).toEqual([ID.ampliseq]);
    await expect(auditDatabase(clean, { dashboardId: '0123456789abcdef01234567' })).rejects.toBeInstanceOf(DashboardNotFoundError);
  });
});

describe('one rule broken per document', () => {
  it('accepts ids stored as 24-hex strings like ObjectIds (dc_id, wf_id, dc_config._id, parent_dashboard_id)', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, {
      $set: { 'stored_metadata.2.dc_id': ID.irisTable, 'stored_metadata.2.wf_id': ID.irisWorkflow, 'stored_metadata.2.dc_config._id': ID.irisTable },
    });
    await updateTab(db, ID.community, { $set: { parent_dashboard_id: ID.ampliseq.toUpperCase() } });
    const report = await auditDatabase(db);
    expect(report.summary).toMatchObject({ dashboards: 3, error: 0, warning: 0 });
    expect(tabRows(report, ID.irisDashboard)[2]).toMatchObject({ dc_id: ID.irisTable, dc_tag: 'iris_table', status: 'valid' });
    expect(report.dashboards.find((d) => d.id === ID.ampliseq)!.tabs.map((t) => t.title)).toEqual([
      'nf-core/ampliseq',
      'Community Analysis',
      'Diff. Abundance',
    ]);
  });

  it('reports a text component with dc_id null as n/a', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, {
      $push: { stored_metadata: { index: 'text-notes', component_type: 'text', title: 'Notes', dc_id: null, wf_id: null } },
    } as Document);
    const report = await auditDatabase(db);
    const row = onlyBroken(report, ID.irisDashboard, 11);
    expect(row).toMatchObject({ index: 'text-notes', component_type: 'text', dc_id: null, dc_tag: null, status: 'n/a', reasons: [] });
    expect(report.summary).toMatchObject({ na: 1, error: 0, warning: 0 });
  });

  it('rejects a figure whose dc_id is null or missing', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, { $set: { 'stored_metadata.0.dc_id': null }, $unset: { 'stored_metadata.1.dc_id': '' } });
    const report = await auditDatabase(db);
    const [nulled, missing] = tabRows(report, ID.irisDashboard);
    expect(nulled).toMatchObject({ component_type: 'figure', status: 'error', dc_id: null });
    expect(reasonsText(nulled!)).toContain('dc_id is null');
    expect(missing).toMatchObject({ status: 'error' });
    expect(reasonsText(missing!)).toContain('dc_id is missing');
    expect(report.summary.error).toBe(2);
  });

  it('rejects the legacy joined form A--B and names the join DC to use', async () => {
    const db = await seeded();
    const legacy = `${ID.physical}--${ID.demographic}`;
    await updateTab(db, ID.penguinsDashboard, { $set: { 'stored_metadata.0.dc_id': legacy } });
    const row = onlyBroken(await auditDatabase(db), ID.penguinsDashboard, 0);
    expect(row).toMatchObject({ status: 'error', dc_id: legacy, dc_tag: null });
    expect(reasonsText(row)).toContain(`"${legacy}" is the legacy joined form A--B (physical_features + demographic_data)`);
    expect(reasonsText(row)).toContain(`joined_penguins_complete (${ID.penguinsJoin})`);
  });

  it('rejects a malformed dc_id', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, { $set: { 'stored_metadata.9.dc_id': 'iris_table' } });
    const row = onlyBroken(await auditDatabase(db), ID.irisDashboard, 9);
    expect(row.status).toBe('error');
    expect(reasonsText(row)).toContain('dc_id "iris_table" is not an ObjectId');
  });

  it("real fault: a stale seed's dc_id 646b0f3c1e4a2d7f8e5b8ca6 that is a dashboard's id, not a DC's", async () => {
    const db = await seeded();
    await db.collection(DASHBOARDS).insertOne({
      _id: oid(ID.staleDashboard),
      title: 'Old ampliseq dashboard',
      project_id: oid(ID.ampliseq),
      parent_dashboard_id: null,
      tab_order: 0,
      permissions: { owners: [{ _id: oid('67658ba033c8b59ad489d7c7'), email: 'admin@example.com', is_admin: true }], editors: [], viewers: ['*'] },
      stored_metadata: [],
    } as Document);
    await updateTab(db, ID.community, { $set: { 'stored_metadata.4.dc_id': oid(ID.staleDashboard) } });
    const report = await auditDatabase(db);
    const row = onlyBroken(report, ID.community, 4);
    expect(row).toMatchObject({ status: 'error', dc_id: ID.staleDashboard, dc_tag: null });
    expect(reasonsText(row)).toContain(`dc_id ${ID.staleDashboard} matches no data collection: it is the id of dashboard "Old ampliseq dashboard"`);
  });

  it("rejects a dc_id that is a project's id (and says when it is also the project's main tab)", async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, { $set: { 'stored_metadata.9.dc_id': oid(ID.irisProject) } });
    await updateTab(db, ID.diffAbundance, { $set: { 'stored_metadata.10.dc_id': oid(ID.ampliseq) } });
    const report = await auditDatabase(db);
    const iris = tabRows(report, ID.irisDashboard)[9]!;
    expect(iris.status).toBe('error');
    expect(reasonsText(iris)).toContain(`dc_id ${ID.irisProject} matches no data collection: it is the id of project "Iris Dataset Project Data Analysis"`);
    const ampliseq = tabRows(report, ID.diffAbundance)[10]!;
    expect(reasonsText(ampliseq)).toContain('project "Ampliseq Microbial Community Analysis" and of dashboard "nf-core/ampliseq"');
    expect(report.summary.error).toBe(2);
  });

  it("rejects a dc_id that is a workflow's id", async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, { $set: { 'stored_metadata.9.dc_id': oid(ID.irisWorkflow) } });
    const row = onlyBroken(await auditDatabase(db), ID.irisDashboard, 9);
    expect(row.status).toBe('error');
    expect(reasonsText(row)).toContain(`dc_id ${ID.irisWorkflow} matches no data collection: it is the id of workflow "iris_workflow"`);
  });

  it('rejects a DC of another project', async () => {
    const db = await seeded();
    // A whole, consistent snapshot of ampliseq's metadata DC: only the project is wrong.
    await updateTab(db, ID.irisDashboard, {
      $set: {
        'stored_metadata.9.dc_id': oid(ID.metadata),
        'stored_metadata.9.wf_id': oid(ID.ampliseqWorkflow),
        'stored_metadata.9.data_collection_tag': 'metadata',
        'stored_metadata.9.dc_config': { _id: oid(ID.metadata), data_collection_tag: 'metadata', type: 'table' },
      },
    });
    const row = onlyBroken(await auditDatabase(db), ID.irisDashboard, 9);
    expect(row).toMatchObject({ status: 'error', dc_tag: 'metadata', project_id: ID.ampliseq });
    expect(row.reasons).toEqual([
      `DC metadata (${ID.metadata}) belongs to project "Ampliseq Microbial Community Analysis", not to this dashboard's project "Iris Dataset Project Data Analysis"`,
    ]);
  });

  it("rejects a DC in a project the dashboard's owner cannot see, with the platform's message", async () => {
    const db = await seeded();
    await db.collection(PROJECTS).updateOne({ _id: oid(ID.ampliseq) }, { $set: { is_public: false, 'permissions.viewers': [] } });
    // Still owned by the admin: a private project is no problem for an admin.
    expect((await auditDatabase(db)).summary.error).toBe(0);
    await updateTab(db, ID.ampliseq, {
      $set: { 'permissions.owners': [{ _id: oid(ID.testUser), email: 'test_user@example.com', is_admin: false }] },
    });
    const report = await auditDatabase(db);
    const rows = tabRows(report, ID.ampliseq);
    expect(rows).toHaveLength(9);
    for (const row of rows) {
      expect(row.status).toBe('error');
      expect(reasonsText(row)).toContain(`No projects containing Data Collection id ${row.dc_id} found for the current user`);
      expect(reasonsText(row)).toContain('test_user@example.com');
    }
    expect(reasonsText(rows[0]!)).toContain(ID.metadata);
    // The child tabs are still the admin's.
    expect(report.summary.error).toBe(9);
  });

  it("warns about a wf_id that is not the DC's workflow", async () => {
    const db = await seeded();
    await updateTab(db, ID.penguinsDashboard, { $set: { 'stored_metadata.13.wf_id': oid(ID.irisWorkflow) } });
    const row = onlyBroken(await auditDatabase(db), ID.penguinsDashboard, 13);
    expect(row).toMatchObject({ status: 'warning', dc_tag: 'joined_penguins_complete' });
    expect(row.reasons).toEqual([
      `wf_id ${ID.irisWorkflow} (iris_workflow) is not the workflow of DC joined_penguins_complete, which is ${ID.penguinsWorkflow} (penguin_species_analysis)`,
    ]);
  });

  it('warns about a snapshot tag that disagrees with the DC', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, { $set: { 'stored_metadata.9.data_collection_tag': 'iris_v1' } });
    const row = onlyBroken(await auditDatabase(db), ID.irisDashboard, 9);
    expect(row.status).toBe('warning');
    expect(row.reasons).toEqual([`snapshot tag "iris_v1" disagrees with DC ${ID.irisTable}, whose tag is "iris_table"`]);
  });

  it('real fault: dc_config._id 68ee1ce0766d13e034d230f7 while dc_id is ...8c9c', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, { $set: { 'stored_metadata.0.dc_config._id': oid('68ee1ce0766d13e034d230f7') } });
    const row = onlyBroken(await auditDatabase(db), ID.irisDashboard, 0);
    expect(row).toMatchObject({ status: 'warning', dc_id: ID.irisTable, dc_tag: 'iris_table' });
    expect(row.reasons).toEqual([
      `dc_config._id 68ee1ce0766d13e034d230f7 disagrees with dc_id ${ID.irisTable} (the platform's own seeding rewrites it to the dc_id)`,
    ]);
    // The fix names the stored document, index and position, and the exact stored before value (an ObjectId).
    expect(row.location).toEqual({ dashboard_id: { $oid: ID.irisDashboard }, index: row.index, position: 0 });
    expect(row.suggestion).toMatchObject({
      none: false,
      fixes: [{ field: 'dc_config._id', before: { $oid: '68ee1ce0766d13e034d230f7' }, after: { $oid: ID.irisTable }, confidence: 'high' }],
    });
  });

  it('warns about a column the DC does not have, named in column_name', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, { $set: { 'stored_metadata.2.column_name': 'sepal_length' } });
    const row = onlyBroken(await auditDatabase(db), ID.irisDashboard, 2);
    expect(row.status).toBe('warning');
    expect(row.reasons).toEqual([`column "sepal_length" (column_name) is not a column of DC iris_table (${ID.irisTable})`]);
  });

  it("warns about a column the DC does not have, named in the figure's dict_kwargs", async () => {
    const db = await seeded();
    await updateTab(db, ID.community, { $set: { 'stored_metadata.6.dict_kwargs.path': ['Kingdom', 'Genus'] } });
    const row = onlyBroken(await auditDatabase(db), ID.community, 6);
    expect(row.status).toBe('warning');
    expect(row.reasons).toEqual([`column "Genus" (dict_kwargs.path) is not a column of DC taxonomy_composition (${ID.taxonomy})`]);
  });

  it('warns about a table DC with no deltatable registration', async () => {
    const db = await seeded();
    const removed = await db.collection(DELTATABLES).deleteOne({ data_collection_id: oid(ID.irisTable) });
    expect(removed.deletedCount).toBe(1);
    const report = await auditDatabase(db);
    const rows = tabRows(report, ID.irisDashboard);
    for (const row of rows) {
      expect(row.status).toBe('warning');
      // Columns still come from the DC's description: only the registration is missing.
      expect(row.reasons).toEqual([`table DC iris_table (${ID.irisTable}) has no deltatable registration yet: its data cannot be loaded`]);
    }
    expect(report.summary).toMatchObject({ warning: 11, error: 0 });
  });

  it('rejects every component of child tabs whose parent is missing', async () => {
    const db = await seeded();
    await db.collection(DASHBOARDS).deleteOne({ _id: oid(ID.ampliseq) });
    const report = await auditDatabase(db);
    const orphan = report.dashboards.find((d) => d.id === ID.ampliseq)!;
    expect(orphan.title).toBe(`(missing parent dashboard ${ID.ampliseq})`);
    expect(orphan.tabs.map((t) => t.title)).toEqual(['Community Analysis', 'Diff. Abundance']);
    expect(orphan.components).toHaveLength(29);
    for (const row of orphan.components) {
      expect(row.status).toBe('error');
      expect(reasonsText(row)).toContain(`parent dashboard ${ID.ampliseq} of tab "${row.tab_title}" does not exist`);
      // Says what breaks: the tab itself opens by its id; lists and the tab bar go through the parent.
      expect(reasonsText(row)).toContain('the tab still opens by its URL, but no dashboard list shows it');
      expect(reasonsText(row)).toContain(`"Dashboard '${ID.ampliseq}' not found."`);
      expect(reasonsText(row)).not.toContain('cannot be opened');
      expect(row.suggestion).toMatchObject({ none: true });
    }
    expect(report.summary).toMatchObject({ dashboards: 3, error: 29 });
  });

  it('rejects a child tab whose parent is itself a child tab', async () => {
    const db = await seeded();
    await updateTab(db, ID.diffAbundance, { $set: { parent_dashboard_id: oid(ID.community) } });
    const report = await auditDatabase(db);
    const rows = tabRows(report, ID.diffAbundance);
    expect(rows).toHaveLength(11);
    for (const row of rows) {
      expect(row.status).toBe('error');
      expect(reasonsText(row)).toContain(`parent dashboard ${ID.community} ("Community Analysis") of tab "Diff. Abundance" is itself a child tab`);
      expect(reasonsText(row)).toContain('"The specified dashboard is not a main tab."');
    }
    expect(report.summary.error).toBe(11);
  });

  it('rejects a tab whose project does not exist', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, { $set: { project_id: oid('0000000000000000000000aa') } });
    const report = await auditDatabase(db);
    for (const row of tabRows(report, ID.irisDashboard)) {
      expect(row.status).toBe('error');
      expect(reasonsText(row)).toContain('the project 0000000000000000000000aa of tab "Iris Dashboard demo" does not exist');
    }
  });

  it('real fault: ObjectIds reused by a later release (the snapshot says taxonomy_composition, the DC at ...ca8 is alpha_rarefaction)', async () => {
    const db = await seeded();
    // The later release's card: "Taxa", nunique(taxonomy) on ...ca8, which that release calls taxonomy_composition.
    await updateTab(db, ID.community, {
      $set: { 'stored_metadata.1.dc_id': oid(ID.alpha), 'stored_metadata.1.dc_config._id': oid(ID.alpha) },
    });
    const row = onlyBroken(await auditDatabase(db), ID.community, 1);
    expect(row).toMatchObject({ status: 'warning', dc_id: ID.alpha, dc_tag: 'alpha_rarefaction' });
    expect(row.reasons).toEqual([
      `snapshot tag "taxonomy_composition" disagrees with DC ${ID.alpha}, whose tag is "alpha_rarefaction" (in data_collection_tag and in dc_config)`,
      `column "taxonomy" (column_name) is not a column of DC alpha_rarefaction (${ID.alpha})`,
    ]);
    // The tags name taxonomy_composition, which has the column the card reads: that DC, with medium confidence.
    expect(row.suggestion).toMatchObject({
      none: false,
      fixes: [
        { field: 'dc_id', before: { $oid: ID.alpha }, after: { $oid: ID.taxonomy }, confidence: 'medium' },
        { field: 'dc_config._id', before: { $oid: ID.alpha }, after: { $oid: ID.taxonomy } },
      ],
    });
  });

  it('real fault: the penguins dashboard points at the join DC ...8ca1 before the join created it', async () => {
    const db = await seeded();
    const project = (await db.collection(PROJECTS).findOne({ _id: oid(ID.penguinsProject) }))!;
    const [workflow] = project.workflows as Array<{ data_collections: Array<{ _id: ObjectId }> }>;
    workflow!.data_collections = workflow!.data_collections.filter((dc) => !dc._id.equals(ID.penguinsJoin));
    await db.collection(PROJECTS).updateOne({ _id: oid(ID.penguinsProject) }, { $set: { workflows: project.workflows } });
    await db.collection(DELTATABLES).deleteOne({ data_collection_id: oid(ID.penguinsJoin) });
    const report = await auditDatabase(db);
    const rows = tabRows(report, ID.penguinsDashboard);
    expect(rows).toHaveLength(14);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'error', dc_id: ID.penguinsJoin, dc_tag: null });
      expect(row.reasons).toEqual([`dc_id ${ID.penguinsJoin} matches no data collection`]);
    }
    expect(report.summary).toMatchObject({ error: 14, warning: 0 });
  });

  it('real fault: a text component bound to a DC by a seeding step that forced every dc_id', async () => {
    const db = await seeded();
    await updateTab(db, ID.irisDashboard, {
      $push: { stored_metadata: { index: 'text-forced', component_type: 'text', title: 'About', dc_id: oid(ID.irisTable), wf_id: oid(ID.irisWorkflow) } },
    } as Document);
    const row = onlyBroken(await auditDatabase(db), ID.irisDashboard, 11);
    expect(row).toMatchObject({ component_type: 'text', status: 'warning', dc_id: ID.irisTable, dc_tag: 'iris_table' });
    expect(row.reasons).toEqual([
      `a text component shows no data, yet is bound to dc_id ${ID.irisTable} (a seeding step that forced every dc_id does this; it should be null)`,
    ]);
    expect(row.suggestion).toMatchObject({
      none: false,
      location: { position: 11, index: 'text-forced' },
      fixes: [{ field: 'dc_id', before: { $oid: ID.irisTable }, after: null }],
    });
  });
});

describe('suggested fixes on a broken seeded database', () => {
  it('propose a fix for every error: applied as conditional updates at the stored location, the audit has no error left', async () => {
    const db = await seeded();
    const stray = '646b0f3c1e4a2d7f8e5b8cee';
    // dc_ids that match nothing but whose snapshot names the right DC, a legacy A--B id, a wrong wf_id.
    await updateTab(db, ID.community, { $set: { 'stored_metadata.0.dc_id': oid(stray), 'stored_metadata.1.dc_id': stray } });
    await updateTab(db, ID.penguinsDashboard, { $set: { 'stored_metadata.0.dc_id': `${ID.physical}--${ID.demographic}` } });
    await updateTab(db, ID.irisDashboard, { $set: { 'stored_metadata.2.wf_id': oid(ID.penguinsWorkflow) } });
    const broken = await auditDatabase(db);
    expect(broken.summary).toMatchObject({ error: 3, warning: 1 });

    const rows = broken.dashboards.flatMap((d) => d.components).filter((r) => r.status !== 'valid' && r.status !== 'n/a');
    const edits = rows.flatMap((row) => {
      expect(row.suggestion, `${row.tab_title} ${row.index}: ${reasonsText(row)}`).toMatchObject({ none: false });
      const suggestion = row.suggestion;
      return suggestion?.none === false ? suggestion.fixes.map((fix) => ({ location: suggestion.location, fix })) : [];
    });
    expect(edits.map(({ location, fix }) => [fromStored(location.dashboard_id)!.toString(), location.position, fix.field, fix.after])).toEqual([
      [ID.community, 0, 'dc_id', { $oid: ID.metadata }],
      [ID.community, 1, 'dc_id', expect.any(String)],
      [ID.irisDashboard, 2, 'wf_id', { $oid: ID.irisWorkflow }],
      [ID.penguinsDashboard, 0, 'dc_id', ID.penguinsJoin],
    ]);
    for (const { location, fix } of edits) {
      const at = `stored_metadata.${location.position}`;
      const result = await db
        .collection(DASHBOARDS)
        .updateOne(
          { _id: fromStored(location.dashboard_id), [`${at}.index`]: fromStored(location.index), [`${at}.${fix.field}`]: fromStored(fix.before) } as Document,
          { $set: { [`${at}.${fix.field}`]: fromStored(fix.after) } },
        );
      expect(result.modifiedCount, `${at}.${fix.field}`).toBe(1);
    }
    const repaired = await auditDatabase(db);
    expect(repaired.summary).toMatchObject({ error: 0, warning: 0 });
  });
});

/** The rows of the text tables: each column cut where its header starts. */
function parseTables(stdout: string): string[][] {
  const rows: string[][] = [];
  let starts: number[] | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('  Tab ')) {
      starts = ['Tab', 'Component type', 'DC id', 'DC tag', 'Status', 'Reason'].map((h) => line.indexOf(h));
      continue;
    }
    if (!line.startsWith('  ') || !starts) {
      starts = null;
      continue;
    }
    rows.push(starts.map((start, i) => line.slice(start, starts![i + 1] ?? undefined).trim()));
  }
  return rows;
}

describe('npm run audit', () => {
  const env = (db: Db) => ({ MONGODB_URI: mongoUri(), MONGODB_DB: db.databaseName, MONGODB_TIMEOUT_MS: '5000' });

  it('exits 0 on the seeded database; --json is one document matching the schema and the text table', async () => {
    const [text, json] = await Promise.all([runCli('audit', [], env(clean)), runCli('audit', ['--json'], env(clean))]);
    expect(text.code, text.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    const report = auditReportSchema.parse(JSON.parse(json.stdout));
    expect(report.summary).toEqual({ dashboards: 3, components: 63, valid: 63, warning: 0, error: 0, na: 0 });
    expect(text.stdout.trim().split('\n').at(-1)).toBe('Summary: 3 dashboards, 63 components: 63 valid, 0 warning, 0 error, 0 n/a');
    const expected = report.dashboards.flatMap((d) =>
      d.components.map((r) => [r.tab_title, r.component_type, r.dc_id ?? '-', r.dc_tag ?? '-', r.status, r.reasons[0] ?? '-']),
    );
    expect(parseTables(text.stdout)).toEqual(expected);
    expect(parseTables(text.stdout)).toContainEqual(['nf-core/ampliseq', 'multiqc', ID.multiqc, 'multiqc_data', 'valid', '-']);
  });

  it('exits 1 when one component is in error, and shows it in the table and the JSON alike', async () => {
    const db = await seeded();
    await updateTab(db, ID.penguinsDashboard, { $set: { 'stored_metadata.5.dc_id': `${ID.physical}--${ID.demographic}` } });
    const [text, json] = await Promise.all([
      runCli('audit', ['--dashboard', ID.penguinsDashboard], env(db)),
      runCli('audit', ['--json', '--dashboard', ID.penguinsDashboard], env(db)),
    ]);
    expect(text.code, text.stderr).toBe(1);
    expect(json.code, json.stderr).toBe(1);
    const report = auditReportSchema.parse(JSON.parse(json.stdout));
    expect(report.summary).toMatchObject({ dashboards: 1, components: 14, error: 1 });
    const broken = parseTables(text.stdout)[5]!;
    expect(broken.slice(0, 5)).toEqual(['Penguins Species Analysis', 'card', `${ID.physical}--${ID.demographic}`, '-', 'error']);
    expect(broken[5]).toBe(report.dashboards[0]!.components[5]!.reasons[0]);
    // The JSON carries the suggested fix with its location: the join DC of the two, stored as text like the legacy id.
    expect(report.dashboards[0]!.components[5]!.suggestion).toMatchObject({
      none: false,
      location: { dashboard_id: { $oid: ID.penguinsDashboard }, position: 5 },
      fixes: [{ field: 'dc_id', before: `${ID.physical}--${ID.demographic}`, after: ID.penguinsJoin, confidence: 'high' }],
    });
  });

  it('exits 2 with the reason when the database cannot be reached, or the dashboard does not exist', async () => {
    const unreachable = await runCli('audit', ['--json'], { MONGODB_URI: 'mongodb://127.0.0.1:9', MONGODB_TIMEOUT_MS: '500' });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr).toContain('cannot reach MongoDB at mongodb://127.0.0.1:9 within 500 ms');
    const missing = await runCli('audit', ['--dashboard', '0123456789abcdef01234567'], env(clean));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no dashboard with id 0123456789abcdef01234567');
  });
});

describe('GET /api/audit', () => {
  let GET: (request: Request) => Promise<Response>;

  beforeAll(async () => {
    // The route reads its configuration on first use, like the console does.
    process.env.MONGODB_URI = mongoUri();
    process.env.MONGODB_DB = clean.databaseName;
    ({ GET } = await import('../../app/api/audit/route'));
  });

  afterAll(async () => {
    const { sharedClient } = await import('../../lib/db/client');
    await (await sharedClient()).close();
  });

  it('serves the report as JSON, one dashboard with ?dashboard=, and CSV with ?format=csv', async () => {
    const all = await GET(await signedRequest('http://console.test/api/audit'));
    expect(all.status).toBe(200);
    const report = auditReportSchema.parse(await all.json());
    expect(report.summary.components).toBe(63);

    const one = auditReportSchema.parse(await (await GET(await signedRequest(`http://console.test/api/audit?dashboard=${ID.community}`))).json());
    expect(one.dashboards.map((d) => d.id)).toEqual([ID.ampliseq]);

    const csv = await GET(await signedRequest('http://console.test/api/audit?format=csv'));
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename=audit.csv');
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toBe(
      'dashboard_id,dashboard_title,tab_id,tab_title,index,position,component_type,title,dc_id,dc_tag,project_id,workflow,status,reasons,suggested_fix',
    );
    expect(lines.filter((l) => l !== '')).toHaveLength(64);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${ID.ampliseq},nf-core/ampliseq,${ID.ampliseq},nf-core/ampliseq,[^,]+,\\d+,multiqc,`)));
  });

  it('answers 401 without a session, or with one signed by another key, before reading anything', async () => {
    for (const request of [
      new Request('http://console.test/api/audit'),
      new Request('http://console.test/api/audit', {
        headers: { cookie: await sessionCookie(SEEDED_ADMIN, { secret: 'another-console-s-secret-of-32-bytes!!' }) },
      }),
    ]) {
      const response = await GET(request);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'sign in first: this needs a session' });
    }
  });

  it('answers 404 for an unknown dashboard and 400 for an unknown format, as JSON', async () => {
    const missing = await GET(await signedRequest('http://console.test/api/audit?dashboard=0123456789abcdef01234567'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no dashboard with id 0123456789abcdef01234567' });
    const bad = await GET(await signedRequest('http://console.test/api/audit?format=xml'));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain('format must be json or csv');
  });
});

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDatabase } from '../../lib/audit/run-audit';
import type { AuditReport } from '../../lib/audit/types';
import { DASHBOARDS, INIT_HISTORY } from '../../lib/db/collections';
import { applyRepairPlan } from '../../lib/repair/apply';
import { lastRepair } from '../../lib/repair/history';
import { buildRepairPlan } from '../../lib/repair/plan';
import { repairOutcomeSchema, repairPlanSchema, type RepairOutcome, type RepairPlan } from '../../lib/repair/schemas';
import { undoRepair } from '../../lib/repair/undo';
import { runCli } from '../support/cli';
import { mongoUri, scratchDbName, useTestDb } from '../support/db';
import { clearFaults, releaseParked, setFault, waitParked } from '../support/faults';
import { seedAs } from '../support/worker-options';

const oid = (hex: string) => new ObjectId(hex);

const ID = {
  irisDashboard: '6824cb3b89d2b72169309737',
  irisWorkflow: '646b0f3c1e4a2d7f8e5b8c9b',
  irisTable: '646b0f3c1e4a2d7f8e5b8c9c',
  penguinsDashboard: '6824cb3b89d2b72169309738',
  penguinsWorkflow: '646b0f3c1e4a2d7f8e5b8c9e',
  physical: '646b0f3c1e4a2d7f8e5b8c9f',
  demographic: '646b0f3c1e4a2d7f8e5b8ca0',
  penguinsJoin: '646b0f3c1e4a2d7f8e5b8ca1',
  ampliseq: '646b0f3c1e4a2d7f8e5b8ca2',
  /** Ids that are nothing in the seeded database. */
  nowhereDc: 'aaaaaaaaaaaaaaaaaaaaaaaa',
  nowhereWf: 'bbbbbbbbbbbbbbbbbbbbbbbb',
} as const;
const LEGACY = `${ID.physical}--${ID.demographic}`;

const { client } = useTestDb(import.meta.url);
const scratch: Db[] = [];
const clients: MongoClient[] = [];
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'repair-'));
});

afterAll(async () => {
  await Promise.all(scratch.map((db) => db.dropDatabase().catch(() => {})));
  await Promise.all(clients.map((c) => c.close()));
});

/** The same database through a client of its own, so that a fault point can name it (appName) and nobody else. */
async function actor(db: Db, appName: string): Promise<Db> {
  const own = await new MongoClient(mongoUri(), { appName, serverSelectionTimeoutMS: 10_000 }).connect();
  clients.push(own);
  return own.db(db.databaseName);
}

/** A database seeded the product's way, then broken the ways the incident and old seeds broke dashboards. */
async function brokenDb(): Promise<Db> {
  const db = client().db(scratchDbName('repair'));
  scratch.push(db);
  await seedAs(db, `g-${db.databaseName}`, true);
  const dashboards = db.collection(DASHBOARDS);
  // Three penguins components on an id that is no DC, their snapshot (dc_config, tag) still naming the join DC.
  const update = await dashboards.updateOne(
    { _id: oid(ID.penguinsDashboard) },
    {
      $set: {
        'stored_metadata.0.dc_id': oid(ID.nowhereDc),
        'stored_metadata.1.dc_id': oid(ID.nowhereDc),
        'stored_metadata.2.dc_id': oid(ID.nowhereDc),
        // The legacy joined form, as text: the way old seeds wrote it.
        'stored_metadata.3.dc_id': LEGACY,
      },
    },
  );
  expect(update.modifiedCount).toBe(1);
  // An iris component whose wf_id is no workflow.
  const wf = await dashboards.updateOne({ _id: oid(ID.irisDashboard) }, { $set: { 'stored_metadata.0.wf_id': oid(ID.nowhereWf) } });
  expect(wf.modifiedCount).toBe(1);
  return db;
}

const allDashboards = (db: Db) => db.collection(DASHBOARDS).find({}).sort({ _id: 1 }).toArray();
const env = (db: Db) => ({ MONGODB_URI: mongoUri(), MONGODB_DB: db.databaseName, MONGODB_TIMEOUT_MS: '5000' });
const problems = (report: AuditReport) =>
  report.dashboards.flatMap((d) =>
    d.components.filter((r) => r.status === 'error' || r.status === 'warning').map((r) => `${d.title} ${r.index}: ${r.reasons.join('; ')}`),
  );
const errors = (report: AuditReport) => report.dashboards.flatMap((d) => d.components.filter((r) => r.status === 'error'));

const BULK = [
  '--replace-dc',
  `${ID.nowhereDc}=${ID.penguinsJoin}`,
  '--replace-dc',
  `${LEGACY}=${ID.penguinsJoin}`,
  '--replace-wf',
  `${ID.nowhereWf}=${ID.irisWorkflow}`,
];

async function cliPlan(db: Db, args: string[]): Promise<{ file: string; plan: RepairPlan; text: string }> {
  const file = path.join(tmp, `${db.databaseName}-${Date.now()}.json`);
  const [written, text] = await Promise.all([runCli('repair', ['--plan', ...args, '--out', file], env(db)), runCli('repair', ['--plan', ...args], env(db))]);
  expect(written.code, written.stderr).toBe(0);
  expect(text.code, text.stderr).toBe(0);
  return { file, plan: repairPlanSchema.parse(JSON.parse(await readFile(file, 'utf8'))), text: text.stdout };
}

async function cliApply(db: Db, file: string, expectedCode: number): Promise<RepairOutcome> {
  const run = await runCli('repair', ['--apply', file, '--json', '--by', 'admin@example.com'], env(db));
  expect(run.code, run.stderr).toBe(expectedCode);
  return repairOutcomeSchema.parse(JSON.parse(run.stdout));
}

describe('bulk replace through the CLI', () => {
  it('--plan is a dry run whose diff names every component; --apply repairs it all; --undo restores the broken documents exactly', async () => {
    const db = await brokenDb();
    const broken = await allDashboards(db);
    expect(errors(await auditDatabase(db)).length).toBe(4);

    const { file, plan, text } = await cliPlan(db, BULK);
    expect(await allDashboards(db)).toEqual(broken);
    expect(plan.counts).toEqual({ dashboards: 2, components: 5, edits: 5 });
    expect(plan.dashboards.map((d) => [d.dashboard_id, d.title, d.components.map((c) => c.location.position)])).toEqual([
      [ID.irisDashboard, 'Iris Dashboard demo', [0]],
      [ID.penguinsDashboard, 'Penguins Species Analysis', [0, 1, 2, 3]],
    ]);
    // The stored form of `before` is kept: an ObjectId stays one, the legacy text becomes hex text.
    const penguins = plan.dashboards[1]!.components;
    expect(penguins[0]!.edits).toEqual([expect.objectContaining({ field: 'dc_id', before: { $oid: ID.nowhereDc }, after: { $oid: ID.penguinsJoin } })]);
    expect(penguins[3]!.edits).toEqual([expect.objectContaining({ field: 'dc_id', before: LEGACY, after: ID.penguinsJoin })]);
    expect(text).toContain(`dc_id: ${ID.nowhereDc} → ${ID.penguinsJoin}`);
    expect(text).toContain(`dc_id: "${LEGACY}" → "${ID.penguinsJoin}"`);
    expect(text).toContain(`wf_id: ${ID.nowhereWf} → ${ID.irisWorkflow}`);

    const outcome = await cliApply(db, file, 0);
    expect(outcome.counts).toEqual({ dashboards: 2, applied: 5, applied_edits: 5, skipped: 0 });
    expect(outcome.run_id).toMatch(/^repair-/);
    expect(errors(await auditDatabase(db))).toEqual([]);
    const repaired = await db.collection(DASHBOARDS).findOne({ _id: oid(ID.penguinsDashboard) });
    expect(repaired!.stored_metadata[0].dc_id).toEqual(oid(ID.penguinsJoin));
    expect(repaired!.stored_metadata[3].dc_id).toBe(ID.penguinsJoin);

    const undo = await runCli('repair', ['--undo', outcome.run_id, '--json', '--by', 'admin@example.com'], env(db));
    expect(undo.code, undo.stderr).toBe(0);
    expect(repairOutcomeSchema.parse(JSON.parse(undo.stdout)).counts).toMatchObject({ applied: 5, skipped: 0 });
    expect(await allDashboards(db)).toEqual(broken);

    // A second undo finds nothing left as the repair wrote it: all skipped, exit 1, nothing written.
    const again = await runCli('repair', ['--undo', outcome.run_id, '--json'], env(db));
    expect(again.code, again.stderr).toBe(1);
    expect(repairOutcomeSchema.parse(JSON.parse(again.stdout)).components.every((c) => c.skipped?.includes('changed since the repair'))).toBe(true);
    expect(await allDashboards(db)).toEqual(broken);
  });

  it('skips and reports a component edited between plan and apply (exit 1), never overwriting it nor touching a dashboard the plan does not name', async () => {
    const db = await brokenDb();
    const { file } = await cliPlan(db, BULK);
    // Someone fixes one component by hand, differently, after the plan was made.
    const elsewhere = oid(ID.physical);
    await db.collection(DASHBOARDS).updateOne({ _id: oid(ID.penguinsDashboard) }, { $set: { 'stored_metadata.1.dc_id': elsewhere } });
    const untouched = await db
      .collection(DASHBOARDS)
      .find({ _id: { $nin: [oid(ID.penguinsDashboard), oid(ID.irisDashboard)] } })
      .sort({ _id: 1 })
      .toArray();

    const outcome = await cliApply(db, file, 1);
    expect(outcome.counts).toMatchObject({ applied: 4, skipped: 1 });
    const skipped = outcome.components.filter((c) => c.skipped !== null);
    expect(skipped.map((c) => [c.dashboard_id, c.location.position])).toEqual([[ID.penguinsDashboard, 1]]);
    expect(skipped[0]!.skipped).toBe(`skipped: changed since the plan: dc_id is now ${ID.physical}, not ${ID.nowhereDc}`);
    const penguins = await db.collection(DASHBOARDS).findOne({ _id: oid(ID.penguinsDashboard) });
    expect(penguins!.stored_metadata[1].dc_id).toEqual(elsewhere);
    expect(penguins!.stored_metadata[0].dc_id).toEqual(oid(ID.penguinsJoin));
    expect(
      await db
        .collection(DASHBOARDS)
        .find({ _id: { $nin: [oid(ID.penguinsDashboard), oid(ID.irisDashboard)] } })
        .sort({ _id: 1 })
        .toArray(),
    ).toEqual(untouched);

    // Applying the same plan again: everything has changed since it was made.
    const again = await cliApply(db, file, 1);
    expect(again.counts).toMatchObject({ applied: 0, skipped: 5 });
  });

  it('refuses what it cannot do, with exit 2 and nothing written', async () => {
    const db = await brokenDb();
    const before = await allDashboards(db);
    const notDc = await runCli('repair', ['--plan', '--replace-dc', `${ID.nowhereDc}=${ID.ampliseq}`], env(db));
    expect(notDc.code).toBe(2);
    expect(notDc.stderr).toContain(`${ID.ampliseq} is not the id of a data collection in this database`);
    const badArg = await runCli('repair', ['--plan', '--replace-wf', 'no-equals-sign'], env(db));
    expect(badArg.code).toBe(2);
    expect(badArg.stderr).toContain('expected OLD=NEW');
    const both = await runCli('repair', ['--plan', '--undo', 'repair-x'], env(db));
    expect(both.code).toBe(2);

    const { plan } = await cliPlan(db, BULK);
    const otherDb = path.join(tmp, 'other-db.json');
    await writeFile(otherDb, JSON.stringify({ ...plan, database: 'somewhere_else' }));
    const wrongDb = await runCli('repair', ['--apply', otherDb], env(db));
    expect(wrongDb.code).toBe(2);
    expect(wrongDb.stderr).toContain('the plan was computed on database "somewhere_else"');
    const lying = path.join(tmp, 'lying-counts.json');
    await writeFile(lying, JSON.stringify({ ...plan, counts: { ...plan.counts, edits: 1 } }));
    const malformed = await runCli('repair', ['--apply', lying], env(db));
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('the plan file is not a repair plan');
    const unreachable = await runCli('repair', ['--plan'], { MONGODB_URI: 'mongodb://127.0.0.1:9', MONGODB_TIMEOUT_MS: '500' });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('cannot reach MongoDB at mongodb://127.0.0.1:9 within 500 ms');
    const unknownRun = await runCli('repair', ['--undo', 'repair-never'], env(db));
    expect(unknownRun.code).toBe(2);
    expect(unknownRun.stderr).toContain('no repair run repair-never');
    expect(await allDashboards(db)).toEqual(before);
  });
});

describe('suggested fixes', () => {
  it('--plan (every dashboard) then --apply leaves the audit with no error; --undo restores the broken state exactly', async () => {
    const db = await brokenDb();
    const broken = await allDashboards(db);
    const { file, plan } = await cliPlan(db, []);
    expect(plan.request.suggested).toBe(true);
    const edited = plan.dashboards.flatMap((d) => d.components.map((c) => `${d.dashboard_id}:${c.location.position}`));
    expect(edited).toEqual(expect.arrayContaining([0, 1, 2, 3].map((p) => `${ID.penguinsDashboard}:${p}`).concat(`${ID.irisDashboard}:0`)));
    const legacy = plan.dashboards.find((d) => d.dashboard_id === ID.penguinsDashboard)!.components.find((c) => c.location.position === 3)!;
    expect(legacy.edits).toContainEqual(expect.objectContaining({ field: 'dc_id', before: LEGACY, after: ID.penguinsJoin }));

    const outcome = await cliApply(db, file, 0);
    expect(outcome.counts.skipped).toBe(0);
    const after = await auditDatabase(db);
    expect(errors(after), problems(after).join('\n')).toEqual([]);

    const undo = await runCli('repair', ['--undo', outcome.run_id], env(db));
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain(`Undo of repair ${outcome.run_id}: restored`);
    expect(await allDashboards(db)).toEqual(broken);
  });

  it("one dashboard's suggestions name only that dashboard", async () => {
    const db = await brokenDb();
    const plan = await buildRepairPlan(db, { dashboard_id: ID.irisDashboard, suggested: true });
    expect(plan.dashboards.map((d) => d.dashboard_id)).toEqual([ID.irisDashboard]);
    expect(plan.dashboards[0]!.components[0]!.edits).toEqual([
      expect.objectContaining({ field: 'wf_id', before: { $oid: ID.nowhereWf }, after: { $oid: ID.irisWorkflow } }),
    ]);
  });
});

describe('the history of a repair', () => {
  it('records repair events per dashboard (admin, run id, before and after as stored) and repair-undone for the undo', async () => {
    const db = await brokenDb();
    const plan = await buildRepairPlan(db, { replace: [{ field: 'dc_id', from: ID.nowhereDc, to: ID.penguinsJoin }] });
    expect(await lastRepair(db, ID.penguinsDashboard)).toBeNull();
    const outcome = await applyRepairPlan(db, plan, { by: 'admin@example.com' });
    const events = await db.collection<Document>(INIT_HISTORY).find({ run_id: outcome.run_id }).toArray();
    expect(events.map((e) => [e.event, e.worker_id, e.detail.by, e.detail.dashboard_id, e.detail.applied, e.detail.skipped])).toEqual([
      ['repair', 'admin:admin@example.com', 'admin@example.com', ID.penguinsDashboard, 3, 0],
    ]);
    const edit = events[0]!.detail.components[0].edits[0];
    expect(edit.before).toEqual(oid(ID.nowhereDc));
    expect(edit.after).toEqual(oid(ID.penguinsJoin));
    expect(await lastRepair(db, ID.penguinsDashboard)).toMatchObject({ run_id: outcome.run_id, by: 'admin@example.com', applied: 3, undone: false });
    expect(await lastRepair(db, ID.irisDashboard)).toBeNull();

    await undoRepair(db, outcome.run_id, { by: 'other-admin@example.com' });
    const undone = await db.collection<Document>(INIT_HISTORY).find({ run_id: outcome.run_id, event: 'repair-undone' }).toArray();
    expect(undone.map((e) => [e.detail.by, e.detail.applied])).toEqual([['other-admin@example.com', 3]]);
    expect(await lastRepair(db, ID.penguinsDashboard)).toMatchObject({ run_id: outcome.run_id, undone: true });
  });

  it('a suggestion and a replace that make the same change are one edit', async () => {
    const db = await brokenDb();
    const suggested = await buildRepairPlan(db, { dashboard_id: ID.penguinsDashboard, suggested: true });
    const both = await buildRepairPlan(db, {
      dashboard_id: ID.penguinsDashboard,
      suggested: true,
      replace: [{ field: 'dc_id', from: ID.nowhereDc, to: ID.penguinsJoin }],
    });
    expect(both.counts).toEqual(suggested.counts);
    expect(both.dashboards).toEqual(suggested.dashboards);
  });

  it('two requests that would write one field differently are refused, not resolved by order', async () => {
    const db = await brokenDb();
    await expect(
      buildRepairPlan(db, {
        replace: [
          { field: 'dc_id', from: ID.nowhereDc, to: ID.penguinsJoin },
          { field: 'dc_id', from: ID.nowhereDc, to: ID.physical },
        ],
      }),
    ).rejects.toThrow(/two requests change dc_id of component .* differently/);
  });
});

describe('edits that race the repair', () => {
  it('an edit that lands while the apply is in flight, just before its component is written, is kept and reported', async () => {
    const db = await brokenDb();
    const plan = await buildRepairPlan(db, {
      replace: [
        { field: 'wf_id', from: ID.nowhereWf, to: ID.irisWorkflow },
        { field: 'dc_id', from: ID.nowhereDc, to: ID.penguinsJoin },
      ],
    });
    expect(plan.dashboards.map((d) => d.dashboard_id)).toEqual([ID.irisDashboard, ID.penguinsDashboard]);
    const repairer = await actor(db, 'repair-in-flight');
    // The first component update (the iris one) is parked after the apply sent it.
    await setFault(client(), { times: 1 }, { failCommands: ['update'], appName: 'repair-in-flight', holdUntilReleased: 'repair-in-flight' });
    try {
      const applying = applyRepairPlan(repairer, plan, { by: 'admin@example.com' });
      await waitParked(client(), 'repair-in-flight');
      await db.collection(DASHBOARDS).updateOne({ _id: oid(ID.irisDashboard) }, { $set: { 'stored_metadata.0.wf_id': oid(ID.penguinsWorkflow) } });
      expect(await releaseParked(client(), 'repair-in-flight')).toBe(1);
      const outcome = await applying;
      expect(outcome.counts).toMatchObject({ applied: 3, skipped: 1 });
      expect(outcome.components.find((c) => c.skipped !== null)).toMatchObject({
        dashboard_id: ID.irisDashboard,
        skipped: `skipped: changed since the plan: wf_id is now ${ID.penguinsWorkflow}, not ${ID.nowhereWf}`,
      });
      const iris = await db.collection(DASHBOARDS).findOne({ _id: oid(ID.irisDashboard) });
      expect(iris!.stored_metadata[0].wf_id).toEqual(oid(ID.penguinsWorkflow));
    } finally {
      await clearFaults(client(), 'repair-in-flight');
    }
  });

  it('an undo leaves alone a component edited after the repair, and restores the others', async () => {
    const db = await brokenDb();
    const broken = await db.collection(DASHBOARDS).findOne({ _id: oid(ID.penguinsDashboard) });
    const plan = await buildRepairPlan(db, { replace: [{ field: 'dc_id', from: ID.nowhereDc, to: ID.penguinsJoin }] });
    const outcome = await applyRepairPlan(db, plan, { by: 'admin@example.com' });
    await db.collection(DASHBOARDS).updateOne({ _id: oid(ID.penguinsDashboard) }, { $set: { 'stored_metadata.2.dc_id': oid(ID.demographic) } });
    const undo = await undoRepair(db, outcome.run_id, { by: 'admin@example.com' });
    expect(undo.counts).toMatchObject({ applied: 2, skipped: 1 });
    expect(undo.components.find((c) => c.skipped !== null)!.skipped).toBe(
      `skipped: changed since the repair: dc_id is now ${ID.demographic}, not ${ID.penguinsJoin}`,
    );
    const after = await db.collection(DASHBOARDS).findOne({ _id: oid(ID.penguinsDashboard) });
    expect(after!.stored_metadata.map((c: Document) => c.dc_id)).toEqual(
      broken!.stored_metadata.map((c: Document, i: number) => (i === 2 ? oid(ID.demographic) : c.dc_id)),
    );
  });
});

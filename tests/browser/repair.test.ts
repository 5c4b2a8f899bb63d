/**
 * Repairing dashboards in a real browser, against the production build and the real multi-worker
 * seeding: the diff dialog of a dashboard's suggested fixes, a bulk replace across two dashboards,
 * the undo of the last repair, each shown live on the page; and what a viewer sees.
 */
import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS, INIT_HISTORY } from '../../lib/db/collections';
import { runCli } from '../support/cli';
import { launchBrowser, screenshot, seriousA11yViolations } from './support/browser';
import { VIEWER, startConsole, type ConsoleServer } from './support/console-server';
import { signedInPage as signInPage, type Credentials } from './support/sign-in';

const oid = (hex: string) => new ObjectId(hex);
const ID = {
  irisDashboard: '6824cb3b89d2b72169309737',
  irisTable: '646b0f3c1e4a2d7f8e5b8c9c',
  irisCopy: '6824cb3b89d2b721693097ff',
  penguinsDashboard: '6824cb3b89d2b72169309738',
  penguinsJoin: '646b0f3c1e4a2d7f8e5b8ca1',
  nowhere: 'aaaaaaaaaaaaaaaaaaaaaaaa',
} as const;

let server: ConsoleServer;
let browser: Browser;
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await startConsole();
  const boot = await runCli('workers', ['-n', '2', '--wipe', '--generation', 'repair-page'], server.env);
  expect(boot.code, boot.stderr).toBe(0);
  mongo = await new MongoClient(server.dbUri).connect();
  db = mongo.db(server.dbName);
  const dashboards = db.collection(DASHBOARDS);
  // Penguins: three components on an id that is no DC, their snapshot still naming the join DC.
  await dashboards.updateOne(
    { _id: oid(ID.penguinsDashboard) },
    { $set: { 'stored_metadata.0.dc_id': oid(ID.nowhere), 'stored_metadata.1.dc_id': oid(ID.nowhere), 'stored_metadata.2.dc_id': oid(ID.nowhere) } },
  );
  // A second iris dashboard, and in both the first two components on the same id that is no DC.
  const iris = (await dashboards.findOne({ _id: oid(ID.irisDashboard) }))!;
  await dashboards.insertOne({ ...iris, _id: oid(ID.irisCopy), dashboard_id: oid(ID.irisCopy), title: 'Iris Dashboard copy' });
  for (const id of [ID.irisDashboard, ID.irisCopy]) {
    await dashboards.updateOne({ _id: oid(id) }, { $set: { 'stored_metadata.0.dc_id': oid(ID.nowhere), 'stored_metadata.1.dc_id': oid(ID.nowhere) } });
  }
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await mongo?.close();
  await browser?.close();
  await server?.stop();
});

const signedInPage = (user?: Credentials): Promise<Page> => signInPage(browser, server, user);

const dcIds = async (id: string) => ((await db.collection(DASHBOARDS).findOne({ _id: oid(id) }))!.stored_metadata as Document[]).map((c) => c.dc_id);
/** The page's count badge, e.g. "3 error": polled, since the audit comes back live. */
const errorBadge = (page: Page) =>
  page
    .getByRole('status')
    .filter({ hasText: /\d+ error/ })
    .first()
    .innerText();

describe('repairing from a dashboard page', () => {
  it('the diff dialog shows every change of "apply all suggested"; applying it turns the page clean without a reload', async () => {
    const page = await signedInPage();
    await page.goto(`${server.url}/dashboards/${ID.penguinsDashboard}`);
    await expect.poll(() => errorBadge(page)).toContain('3 error');
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await page.getByRole('button', { name: 'Apply all suggested… (3)' }).click();

    const dialog = page.getByRole('dialog', { name: 'Repair: review the changes' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('status').innerText()).toContain('3 changes in 3 components of 1 dashboard');
    const rows = dialog.getByRole('table', { name: 'Changes to dashboard Penguins Species Analysis' }).getByRole('row');
    expect(await rows.count()).toBe(4); // the header and one row per change
    for (const i of [1, 2, 3]) {
      const text = await rows.nth(i).innerText();
      expect(text).toContain('dc_id');
      expect(text).toMatch(new RegExp(`${ID.nowhere}\\s*→ ${ID.penguinsJoin}`));
    }
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'repair-diff-dialog');
    // Nothing is written before Apply.
    expect((await dcIds(ID.penguinsDashboard)).slice(0, 3)).toEqual([oid(ID.nowhere), oid(ID.nowhere), oid(ID.nowhere)]);

    await dialog.getByRole('button', { name: 'Apply 3 changes' }).click();
    const done = page.getByRole('dialog', { name: 'Repair applied' });
    await expect.poll(() => done.getByRole('status').innerText()).toMatch(/^Repair repair-\S+: applied 3 components\.$/);
    expect(await done.getByText('Applied', { exact: true }).count()).toBe(3);
    await done.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => errorBadge(page)).toContain('0 error');
    expect((await dcIds(ID.penguinsDashboard)).slice(0, 3)).toEqual([oid(ID.penguinsJoin), oid(ID.penguinsJoin), oid(ID.penguinsJoin)]);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    await page.context().close();
  });

  it('a bulk replace changes both dashboards that hold the id, after showing both; an undo of it restores them, live', async () => {
    const page = await signedInPage();
    await page.goto(`${server.url}/dashboards/${ID.irisDashboard}`);
    await expect.poll(() => errorBadge(page)).toContain('2 error');
    const form = page.getByRole('form', { name: 'Bulk replace' });
    await form.getByLabel('Old id').fill(ID.nowhere);
    await form.getByLabel('New id').fill(ID.irisTable);
    await form.getByRole('button', { name: 'Preview replace…' }).click();

    const dialog = page.getByRole('dialog', { name: 'Repair: review the changes' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('status').innerText()).toContain('4 changes in 4 components of 2 dashboards');
    expect(await dialog.getByRole('table', { name: 'Changes to dashboard Iris Dashboard demo' }).getByRole('row').count()).toBe(3);
    expect(await dialog.getByRole('table', { name: 'Changes to dashboard Iris Dashboard copy' }).getByRole('row').count()).toBe(3);
    await screenshot(page, 'repair-bulk-replace');
    await dialog.getByRole('button', { name: 'Apply 4 changes' }).click();
    const done = page.getByRole('dialog', { name: 'Repair applied' });
    await expect.poll(() => done.getByRole('status').innerText()).toMatch(/applied 4 components/);
    await done.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => errorBadge(page)).toContain('0 error');
    for (const id of [ID.irisDashboard, ID.irisCopy]) expect((await dcIds(id)).slice(0, 2)).toEqual([oid(ID.irisTable), oid(ID.irisTable)]);

    const run = (await db.collection(INIT_HISTORY).findOne({ event: 'repair', 'detail.dashboard_id': ID.irisCopy }))!.run_id as string;
    await page.getByRole('button', { name: 'Undo last repair…' }).click();
    expect(await page.getByRole('group', { name: 'Confirm the undo' }).innerText()).toContain(run);
    await page.getByRole('button', { name: 'Confirm undo' }).click();
    await expect.poll(() => page.getByText(`Undo of repair ${run}: restored 4 components.`).isVisible()).toBe(true);
    // The undo's own diff: what it wrote back, per dashboard, after → before.
    const restored = page.getByRole('table', { name: 'Changes to dashboard Iris Dashboard copy' }).getByRole('row');
    expect(await restored.count()).toBe(3);
    expect(await restored.nth(1).innerText()).toMatch(new RegExp(`${ID.irisTable}\\s*→ ${ID.nowhere}[\\s\\S]*Restored`));
    await expect.poll(() => errorBadge(page)).toContain('2 error');
    for (const id of [ID.irisDashboard, ID.irisCopy]) expect((await dcIds(id)).slice(0, 2)).toEqual([oid(ID.nowhere), oid(ID.nowhere)]);
    expect(await page.getByRole('button', { name: 'Undo last repair…' }).count()).toBe(0);
    expect(await db.collection(INIT_HISTORY).countDocuments({ run_id: run, event: 'repair-undone', 'detail.by': 'admin@example.com' })).toBe(2);
    await screenshot(page, 'repair-undone');
    await page.context().close();
  });

  it('a viewer sees the suggested fixes but no repair control', async () => {
    const page = await signedInPage(VIEWER);
    await page.goto(`${server.url}/dashboards/${ID.irisDashboard}`);
    await expect.poll(() => errorBadge(page)).toContain('2 error');
    const table = page.getByRole('table', { name: /Components of tab/ }).first();
    expect(await table.innerText()).toContain(`dc_id: ${ID.nowhere} → ${ID.irisTable}`);
    expect(await page.getByRole('heading', { name: 'Repair' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Apply all suggested|Preview replace|Undo last repair|^Fix/ }).count()).toBe(0);
    await screenshot(page, 'repair-viewer');
    await page.context().close();
  });
  it("a row's Fix… repairs that one component through the same diff dialog", async () => {
    const page = await signedInPage();
    await page.goto(`${server.url}/dashboards/${ID.irisDashboard}`);
    await expect.poll(() => errorBadge(page)).toContain('2 error');
    await page.getByRole('button', { name: 'Fix figure Sepal length by variety…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Repair: review the changes' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('status').innerText()).toContain('1 change in 1 component of 1 dashboard');
    await dialog.getByRole('button', { name: 'Apply 1 change' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Repair applied' }).getByRole('status').innerText()).toMatch(/applied 1 component\./);
    await page.getByRole('dialog', { name: 'Repair applied' }).getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => errorBadge(page)).toContain('1 error');
    expect((await dcIds(ID.irisDashboard)).slice(0, 2)).toEqual([oid(ID.irisTable), oid(ID.nowhere)]);
    expect((await dcIds(ID.irisCopy)).slice(0, 2)).toEqual([oid(ID.nowhere), oid(ID.nowhere)]);
    // The page's undo now offers this repair: it came back through the page's refresh.
    await expect.poll(() => page.getByRole('button', { name: 'Undo last repair…' }).count()).toBe(1);
    await page.context().close();
  });
});

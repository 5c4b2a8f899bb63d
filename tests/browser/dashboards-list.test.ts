/**
 * The dashboards list in a real browser against the production build: the needs-attention summary
 * and its links, search and filters written to the URL (a link reproduces the view), sortable
 * columns, keyset pages, the overview's invalid-components link, and a repair-style edit showing
 * up without a reload (the audit cache re-runs on the history event).
 */
import os from 'node:os';
import { MongoClient, ObjectId, type Document } from 'mongodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { TEST_PASSWORDS } from '../support/seeds';
import { launchBrowser, screenshot, seriousA11yViolations } from './support/browser';
import { startConsole, type ConsoleServer } from './support/console-server';
import { signIn } from './support/sign-in';

const AMPLISEQ = '646b0f3c1e4a2d7f8e5b8ca2';
const IRIS_DASHBOARD = '6824cb3b89d2b72169309737';
const STRAY = '0123456789abcdef01234567';

let server: ConsoleServer;
let browser: Browser;
let page: Page;
let mongo: MongoClient;

const eventually = <T>(read: () => Promise<T> | T, timeout = 10_000) => expect.poll(read, { timeout, interval: 100 });
const list = () => page.getByRole('table', { name: 'Dashboards and the status of their components' });
/** The dashboards the table shows, by title, in order. */
const titles = () => list().getByRole('rowheader').allInnerTexts();
const url = () => new URL(page.url());

beforeAll(async () => {
  server = await startConsole();
  const boot = await runCli('workers', ['-n', '1', '--wipe', '--generation', 'list-browser'], {
    MONGODB_URI: server.dbUri,
    MONGODB_DB: server.dbName,
    ...TEST_PASSWORDS,
  });
  if (boot.code !== 0) throw new Error(`seeding failed: ${boot.stderr || boot.stdout}`);
  mongo = new MongoClient(server.dbUri);
  // Four copies of the iris dashboard, two of them with a dc_id that is no DC.
  const dashboards = mongo.db(server.dbName).collection<Document>('dashboards');
  const iris = (await dashboards.findOne({ _id: new ObjectId(IRIS_DASHBOARD) }))!;
  await dashboards.insertMany(
    [0, 1, 2, 3].map((i) => ({
      ...iris,
      _id: new ObjectId(),
      title: `Iris copy ${i}`,
      stored_metadata: (iris.stored_metadata as Document[]).map((c, k) => (k === 0 && i % 2 === 0 ? { ...c, dc_id: new ObjectId(STRAY) } : c)),
    })),
  );
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  await signIn(page, server);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await mongo?.close();
  await server?.stop();
});

describe('the dashboards list', () => {
  it('the needs-attention summary counts broken components by reason, and its link filters the list to them', async () => {
    await page.goto(`${server.url}/dashboards`);
    await eventually(() => titles().then((t) => t.length)).toBe(7);
    const summary = page.getByRole('list', { name: 'Broken components by reason' });
    const stray = summary.getByRole('link', { name: /2 components in 2 dashboards: dc_id <id> matches no data collection/ });
    await stray.click();
    await eventually(() => url().searchParams.get('reason')).toBe('error: dc_id <id> matches no data collection');
    await eventually(() => titles()).toEqual(['Iris copy 0', 'Iris copy 2']);
    await expect.poll(() => page.getByText('2 of 7 dashboards match.').count()).toBe(1);
    await screenshot(page, 'dashboards-list-reason');
    // The link reproduces the view: a fresh load of the same URL shows the same rows.
    await page.goto(page.url());
    await eventually(() => titles()).toEqual(['Iris copy 0', 'Iris copy 2']);
  });

  it('search and filters write the URL; sorting by a column and its reverse; Clear shows everything', async () => {
    await page.goto(`${server.url}/dashboards`);
    await page.getByLabel('Search title or id').fill('ampliseq');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => url().searchParams.get('q')).toBe('ampliseq');
    await eventually(() => titles()).toEqual(['nf-core/ampliseq']);

    await page.getByLabel('Search title or id').fill(AMPLISEQ.slice(-8));
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => titles()).toEqual(['nf-core/ampliseq']);

    await page.getByRole('button', { name: 'Clear' }).click();
    await eventually(() => titles().then((t) => t.length)).toBe(7);
    await page.getByLabel('Status').selectOption('errors');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => url().searchParams.get('status')).toBe('errors');
    await eventually(() => titles()).toEqual(['Iris copy 0', 'Iris copy 2']);

    await page.getByRole('button', { name: 'Clear' }).click();
    await eventually(() => titles().then((t) => t.length)).toBe(7);
    await list()
      .getByRole('link', { name: /^Errors/ })
      .click();
    await eventually(() => `${url().searchParams.get('sort')} ${url().searchParams.get('dir')}`).toBe('errors asc');
    await list()
      .getByRole('link', { name: /^Errors/ })
      .click();
    await eventually(() => url().searchParams.get('dir')).toBe('desc');
    // Most errors first (the two broken copies, in either order: their tie is broken by id).
    await eventually(() => titles().then((t) => t.slice(0, 2).sort())).toEqual(['Iris copy 0', 'Iris copy 2']);
    expect(await seriousA11yViolations(page), 'serious or critical axe-core violations on the list').toEqual([]);
  });

  it('keyset pages of 3: Next and Previous walk every dashboard once and come back', async () => {
    await page.goto(`${server.url}/dashboards?limit=3`);
    await eventually(() => titles().then((t) => t.length)).toBe(3);
    const seen: string[] = [...(await titles())];
    const nav = page.getByRole('navigation', { name: 'Pages of the list' });
    for (let i = 0; i < 2; i += 1) {
      const before = await titles();
      await nav.getByRole('link', { name: 'Next page' }).click();
      await eventually(() => titles()).not.toEqual(before);
      seen.push(...(await titles()));
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(await nav.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Previous page' }).click();
    await eventually(() => titles()).toEqual(seen.slice(3, 6));
  });

  it('a URL asking for a view the list cannot show names every problem and links back, on the dashboards and the workers page', async () => {
    await page.goto(`${server.url}/dashboards?sort=nonsense&status=broken`);
    // Next.js's route announcer is an alert too: the banner is the one with the text.
    const alert = page.getByRole('alert').filter({ hasText: 'This view of the list cannot be shown' });
    await expect.poll(() => alert.count()).toBe(1);
    const text = await alert.innerText();
    expect(text).toMatch(/sort must be one of/);
    expect(text).toMatch(/status must be one of/);
    await alert.getByRole('link', { name: 'Show every dashboard' }).click();
    await eventually(() => titles().then((t) => t.length)).toBeGreaterThan(0);
    expect(url().search).toBe('');

    await page.goto(`${server.url}/workers?runs_skip=many`);
    const workersAlert = page.getByRole('alert').filter({ hasText: 'These filters cannot be used' });
    await expect.poll(() => workersAlert.count()).toBe(1);
    await workersAlert.getByRole('link', { name: 'Clear the filters' }).click();
    await page.waitForURL((u) => u.pathname === '/workers' && u.search === '');
  });

  it("the overview's invalid components link opens the list of dashboards with errors; a repair shows there without a reload", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: '2 invalid components: the dashboards with errors' }).click();
    await page.waitForURL(`${server.url}/dashboards?status=errors`);
    await eventually(() => titles()).toEqual(['Iris copy 0', 'Iris copy 2']);
    await page.evaluate(() => ((window as unknown as { __marker?: string }).__marker = 'not reloaded'));

    // A repair as the console makes it: the component edited in place, and a `repair` event.
    const db = mongo.db(server.dbName);
    const copy = (await db.collection<Document>('dashboards').findOne({ title: 'Iris copy 0' }))!;
    const iris = (await db.collection<Document>('dashboards').findOne({ _id: new ObjectId(IRIS_DASHBOARD) }))!;
    const fixed = (iris.stored_metadata as Document[])[0]!.dc_id as unknown;
    await db
      .collection('dashboards')
      .updateOne({ _id: copy._id, 'stored_metadata.0.dc_id': new ObjectId(STRAY) }, { $set: { 'stored_metadata.0.dc_id': fixed } });
    await db.collection('init_history').insertOne({
      at: new Date(),
      run_id: 'repair-browser',
      generation: 'repair-browser',
      worker_id: 'admin:admin@example.com',
      host: os.hostname(),
      pid: process.pid,
      fence: null,
      event: 'repair',
      detail: { by: 'admin@example.com' },
    });
    await eventually(() => titles()).toEqual(['Iris copy 2']);
    expect(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('not reloaded');
  });
});

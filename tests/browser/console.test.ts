/**
 * The console in a real browser (Debian's Chromium through playwright-core), against the production
 * build served by `next start` and the console's own embedded database, seeded by the real
 * multi-worker boot (`npm run workers`, N OS processes).
 *
 * The tests share one console, one database and one signed-in browser context, and run in order:
 * the database restart comes last because the database comes back empty.
 */
import { MongoClient, ObjectId, type Document } from 'mongodb';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fencingNotice } from '../../lib/db/fencing-notice';
import { workersReportSchema, type WorkersReport } from '../../lib/history/verdict';
import { lastJsonLine, runCli } from '../support/cli';
import { TEST_PASSWORDS } from '../support/seeds';
import { launchBrowser, screenshot, seriousA11yViolations } from './support/browser';
import { startConsole, type ConsoleServer } from './support/console-server';
import { signIn } from './support/sign-in';

const ID = {
  ampliseq: '646b0f3c1e4a2d7f8e5b8ca2', // the project's id, and its dashboard's main tab's
  community: '646b0f3c1e4a2d7f8e5b8cb3', // a dashboard tab: not a DC
  multiqc: '646b0f3c1e4a2d7f8e5b8ca4',
  metadata: '646b0f3c1e4a2d7f8e5b8ca5',
  alpha: '646b0f3c1e4a2d7f8e5b8ca8',
  taxonomy: '646b0f3c1e4a2d7f8e5b8ca9',
  ancom: '646b0f3c1e4a2d7f8e5b8caa',
} as const;

const PROJECTS = [
  { name: 'Iris Dataset Project Data Analysis', id: '646b0f3c1e4a2d7f8e5b8c9a' },
  { name: 'Palmer Penguins Species Comparison', id: '646b0f3c1e4a2d7f8e5b8c9d' },
  { name: 'Ampliseq Microbial Community Analysis', id: '646b0f3c1e4a2d7f8e5b8ca2' },
];

/** The incident report's verification table for the ampliseq dashboard. */
const VERIFICATION_TABLE = [
  { type: 'multiqc', dcId: ID.multiqc, tag: 'multiqc_data' },
  { type: 'interactive', dcId: ID.metadata, tag: 'metadata' },
  { type: 'figure', dcId: ID.alpha, tag: 'alpha_rarefaction' },
  { type: 'figure', dcId: ID.taxonomy, tag: 'taxonomy_composition' },
  { type: 'figure', dcId: ID.ancom, tag: 'ancom_volcano' },
  { type: 'table', dcId: ID.metadata, tag: 'metadata' },
];

let server: ConsoleServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let mongo: MongoClient;
let firstBoot: WorkersReport;
/** Uncaught errors in the pages: a page that crashes fails the test it happened in. */
const pageErrors: string[] = [];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Waits for what polling pages show: up to `timeout` ms (10 s unless told). */
const eventually = <T>(read: () => Promise<T> | T, timeout = 10_000) => expect.poll(read, { timeout, interval: 100 });

/** The real multi-worker boot against the console's database (it also seeds the users who sign in). */
async function workersBoot(args: string[]): Promise<WorkersReport> {
  const result = await runCli('workers', [...args, '--json'], { MONGODB_URI: server.dbUri, MONGODB_DB: server.dbName, ...TEST_PASSWORDS });
  if (result.code !== 0) throw new Error(`npm run workers ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return workersReportSchema.parse(lastJsonLine(result.stdout));
}

async function open(path: string): Promise<void> {
  const response = await page.goto(`${server.url}${path}`);
  expect(response?.status(), `GET ${path}`).toBe(200);
  expect(new URL(page.url()).pathname, `${path} was redirected`).toBe(path.split('?')[0]);
}

/** A mark on the page's window: still there later proves the page was not reloaded. */
async function markWindow(): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __marker?: string }).__marker = 'not reloaded'));
}
async function expectNotReloaded(): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('not reloaded');
}

async function expectAccessible(name: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  expect(violations, `serious or critical axe-core violations on ${name}`).toEqual([]);
}

/** The page's landmarks and headings: one banner, one main, the main navigation, one h1 with this name. */
async function expectStructure(h1: string | RegExp): Promise<void> {
  await eventually(() => page.getByRole('banner').count()).toBe(1);
  expect(await page.getByRole('main').count()).toBe(1);
  expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(1);
  const headings = page.getByRole('heading', { level: 1 });
  expect(await headings.count()).toBe(1);
  if (typeof h1 === 'string') expect((await headings.innerText()).trim()).toBe(h1);
  else expect((await headings.innerText()).trim()).toMatch(h1);
  // No heading level is skipped (h1, then h2, h3 ...).
  const levels = await page.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])));
  levels.forEach((level, i) => {
    if (i > 0) expect(level, `heading ${i} skips from h${levels[i - 1]} to h${level}`).toBeLessThanOrEqual(levels[i - 1]! + 1);
  });
}

/**
 * Tabs through the whole page from its start: every enabled, visible control is reached by the
 * keyboard, and each shows a visible focus indicator (an outline or a ring) while focused.
 */
async function expectKeyboardReachable(): Promise<number> {
  const expected = await page.evaluate(() => {
    const selector =
      'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
    const controls = [...document.querySelectorAll<HTMLElement>(selector)].filter(
      (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden',
    );
    controls.forEach((el, i) => el.setAttribute('data-kb', String(i)));
    // Start from the top of the page: focus a mark before everything, the first Tab leaves it.
    const start = document.createElement('span');
    start.tabIndex = -1;
    start.id = 'kb-start';
    document.body.prepend(start);
    start.focus();
    return controls.length;
  });
  expect(expected).toBeGreaterThan(0);
  const reached = new Set<string>();
  const noFocusStyle: string[] = [];
  let previous: string | null = null;
  // A date-time input takes one Tab per field: allow for them.
  for (let presses = 0; presses < expected * 2 + 40; presses += 1) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      const ring = style.boxShadow !== 'none' && style.boxShadow !== '';
      const key = el.getAttribute('data-kb') ?? `new:${el.tagName}:${el.getAttribute('aria-label') ?? el.textContent}`;
      return {
        key,
        visible: outline || ring,
        name: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)}"`,
      };
    });
    if (!focus) break; // past the last control
    if (focus.key !== previous && reached.has(focus.key)) break; // wrapped around to the top
    previous = focus.key;
    if (!reached.has(focus.key) && !focus.visible) noFocusStyle.push(focus.name);
    reached.add(focus.key);
  }
  const missed = await page.evaluate(
    (seen) => {
      document.getElementById('kb-start')?.remove();
      return [...document.querySelectorAll<HTMLElement>('[data-kb]')]
        .filter((el) => !seen.includes(el.getAttribute('data-kb')!))
        .map((el) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)}"`);
    },
    [...reached],
  );
  expect(noFocusStyle, 'controls without a visible focus indicator').toEqual([]);
  expect(missed, 'controls the keyboard does not reach').toEqual([]);
  return reached.size;
}

/** A status badge shows its word and an icon, not colour alone. */
async function expectWordAndIcon(badge: Locator, word: string | RegExp): Promise<void> {
  const text = (await badge.innerText()).trim();
  if (typeof word === 'string') expect(text).toBe(word);
  else expect(text).toMatch(word);
  expect(await badge.locator('svg').count()).toBe(1);
}

/** Times carry the exact ISO time on hover. */
async function expectIsoTitles(scope: Locator): Promise<void> {
  const times = scope.locator('time');
  expect(await times.count()).toBeGreaterThan(0);
  for (const time of await times.all()) {
    const [title, datetime] = await Promise.all([time.getAttribute('title'), time.getAttribute('datetime')]);
    expect(title).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(title).toBe(datetime);
  }
}

interface ValidationRow {
  type: string;
  title: string;
  dcId: string;
  tag: string;
  status: string;
  reasons: string;
}

/** Every component row of every tab of the dashboard page, as the tables show them. */
async function validationRows(): Promise<ValidationRow[]> {
  const rows: ValidationRow[] = [];
  for (const table of await page.getByRole('table', { name: /^Components of tab / }).all()) {
    for (const row of await table
      .getByRole('row')
      .filter({ has: page.getByRole('cell') })
      .all()) {
      const [type, title, dcId, tag, , status, reasons] = (await row.getByRole('cell').allInnerTexts()).map((t) => t.trim());
      rows.push({ type: type!, title: title!, dcId: dcId!, tag: tag!, status: status!, reasons: reasons! });
    }
  }
  return rows;
}

function componentRow(title: string): Locator {
  return page
    .getByRole('table', { name: /^Components of tab / })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: title, exact: true }) });
}

beforeAll(async () => {
  server = await startConsole();
  // Seed first (the users who sign in are part of the seeds), then sign in.
  [firstBoot, browser] = await Promise.all([workersBoot(['-n', '4', '--wipe', '--generation', 'g1']), launchBrowser()]);
  mongo = new MongoClient(server.dbUri, { serverSelectionTimeoutMS: 5_000 });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  context.on('weberror', (e) => pageErrors.push(e.error().message));
  page = await context.newPage();
  await signIn(page, server);
}, 240_000);

afterEach(() => {
  expect(pageErrors.splice(0), 'uncaught errors in the page').toEqual([]);
});

afterAll(async () => {
  await mongo?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
});

describe('the console in a browser, after a 4-worker boot', () => {
  it('the boot itself passed: one worker acquired, three waited', () => {
    expect(firstBoot).toMatchObject({ workers: 4, acquired: 1, failed: 0, pass: true });
    expect(firstBoot.waited + firstBoot.skipped).toBe(3);
    expect(firstBoot.holders).toHaveLength(1);
  });

  it('overview: names the worker that held the lock and shows the run verdict as passing', async () => {
    await open('/');
    await expectStructure('Overview');
    const holder = firstBoot.holders[0]!;

    const lock = page.getByRole('region', { name: 'Lock' });
    await eventually(() => lock.innerText()).toContain(holder);
    // The worker id is copyable with one click: a button with an accessible name.
    const copyHolder = lock.getByRole('button', { name: /^Copy (last )?holder worker id$/ });
    expect(await copyHolder.count()).toBe(1);
    await expectIsoTitles(lock);
    // The console's database is a standalone: the lock card says fencing is best-effort there, as a note.
    expect(await lock.getByRole('note', { name: 'Fencing' }).innerText()).toBe(fencingNotice('standalone'));
    expect(await page.getByRole('alert').filter({ hasText: 'best-effort' }).count()).toBe(0);

    const verdict = page.getByRole('region', { name: 'Last run' });
    await expectWordAndIcon(verdict.getByText('pass', { exact: true }), 'pass');
    const findings = await verdict.getByRole('list', { name: 'Verdict' }).getByRole('listitem').allInnerTexts();
    expect(findings).toContain(`Only worker ${holder} acquired the lock`);
    expect(await verdict.getByRole('link', { name: firstBoot.run_id }).getAttribute('href')).toBe(`/workers?run=${encodeURIComponent(firstBoot.run_id)}`);
    expect(await verdict.innerText()).toContain('4 workers');
    await expectIsoTitles(verdict);

    const state = page.getByRole('region', { name: 'Initialization state' });
    await expectWordAndIcon(state.getByText('complete', { exact: true }), 'complete');
    await eventually(() =>
      page
        .getByRole('status')
        .filter({ hasText: /^Live · every/ })
        .count(),
    ).toBe(1);

    await screenshot(page, 'overview-after-4-worker-boot');
    expect(await expectKeyboardReachable()).toBeGreaterThan(5);
    // The skip link is the first stop and jumps to the main content.
    await page.evaluate(() => {
      const start = document.createElement('span');
      start.tabIndex = -1;
      document.body.prepend(start);
      start.focus();
    });
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await skip.boundingBox())!.width).toBeGreaterThan(20); // shown while focused
    expect(await skip.getAttribute('href')).toBe('#main');
    await expectAccessible('the overview');
  });

  it('theme: the toggle switches light and dark, and the choice holds across pages', async () => {
    await open('/');
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await isDark()).toBe(false);
    const light = await background();
    try {
      await page.getByRole('button', { name: 'Theme: system. Switch to light' }).click();
      await eventually(() => page.evaluate(() => document.documentElement.className)).toContain('light');
      await page.getByRole('button', { name: 'Theme: light. Switch to dark' }).click();
      await eventually(isDark).toBe(true);
      expect(await background()).not.toBe(light);
      await screenshot(page, 'overview-dark-theme');
      // The choice holds on the next page (next-themes keeps it), then back to following the system.
      await open('/projects');
      expect(await isDark()).toBe(true);
      await page.getByRole('button', { name: 'Theme: dark. Switch to system' }).click();
      await eventually(isDark).toBe(false);
    } finally {
      await page.evaluate(() => localStorage.removeItem('theme'));
    }
  });

  it('workers: the run with one acquired and three waiting workers; a new run shows without a reload', async () => {
    await open('/workers');
    await expectStructure('Workers');
    const runs = page.getByRole('region', { name: 'Runs, newest first' });
    const run = runs.getByRole('article', { name: new RegExp(`^Run ${escapeRegExp(firstBoot.run_id)}\\b`) });
    await eventually(() => run.count()).toBe(1);
    await expectWordAndIcon(run.getByText('pass', { exact: true }), 'pass');
    expect(await run.getByRole('button', { name: 'Copy run id' }).count()).toBe(1);

    const figure = async (label: string) => (await run.getByText(label, { exact: true }).locator('xpath=following-sibling::dd').innerText()).trim();
    expect(await figure('Workers')).toBe('4');
    expect(await figure('Acquired')).toBe('1');
    expect(await figure('Waited')).toBe('3');
    expect(await figure('Wipes')).toBe('1');

    // The timeline: one lane per worker. One lane has the `acquired` event; the three others waited
    // for it: no `acquired`, a `waiting` event while the holder worked (a loser that finds the
    // generation complete at its next poll goes straight on), and `ready` at the end.
    const timeline = run.getByRole('group', { name: /^Timeline: 4 workers over \d+ ms$/ });
    const lanes = timeline.getByRole('list', { name: /^Events of / });
    expect(await lanes.count()).toBe(4);
    const acquiredLanes: string[] = [];
    const waitedLanes: string[] = [];
    for (const lane of await lanes.all()) {
      const name = (await lane.getAttribute('aria-label'))!.replace(/^Events of /, '');
      const events = (await lane.getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? ''))).map(
        (label) => label.split(' at ')[0],
      );
      expect(events[0], `first event of ${name}`).toBe('boot');
      if (events.includes('acquired')) {
        acquiredLanes.push(name);
        expect(
          events.filter((e) => e === 'acquired'),
          `events of ${name}`,
        ).toHaveLength(1);
        expect(events.at(-1), `last event of ${name}`).toBe('released');
      } else {
        expect(events.at(-1), `last event of ${name}: ${events.join(', ')}`).toBe('ready');
        expect(
          events.filter((e) => e !== 'boot' && e !== 'waiting' && e !== 'ready'),
          `events of ${name}`,
        ).toEqual([]);
        waitedLanes.push(name);
      }
    }
    expect(acquiredLanes).toEqual(firstBoot.holders);
    expect(waitedLanes).toHaveLength(3);

    // The events table says the same, each event with its word and icon, each time with its ISO title.
    const events = page.getByRole('table', { name: 'History events, newest first' });
    const eventsOfRun = events.getByRole('row').filter({ hasText: firstBoot.run_id });
    const workersWith = (event: string) =>
      eventsOfRun
        .filter({ has: page.getByRole('cell', { name: event, exact: true }) })
        .evaluateAll((rows) => rows.map((r) => (r as HTMLTableRowElement).cells[1]!.textContent));
    expect(await workersWith('acquired')).toEqual(firstBoot.holders);
    expect(new Set(await workersWith('ready'))).toEqual(new Set(waitedLanes));
    await expectWordAndIcon(eventsOfRun.getByRole('cell', { name: 'acquired', exact: true }), 'acquired');
    await expectIsoTitles(events);
    await screenshot(page, 'workers-first-run');
    expect(await expectKeyboardReachable()).toBeGreaterThan(20);
    await expectAccessible('the workers page');

    // A second boot while the page is open: its run shows up first, without a reload.
    await markWindow();
    const second = await workersBoot(['-n', '2']);
    expect(second.run_id).not.toBe(firstBoot.run_id);
    const newest = runs.getByRole('article').first();
    await eventually(() => newest.getAttribute('aria-labelledby'), 10_000).toBe(`run-${second.run_id}`);
    expect(await runs.getByRole('article').count()).toBe(2);
    expect(await newest.innerText()).toContain(second.run_id);
    await expectNotReloaded();
    await screenshot(page, 'workers-second-run-without-reload');
  });

  it('projects: the three seeded projects with their ids, copyable with one click', async () => {
    await open('/projects');
    await expectStructure('Projects');
    for (const project of PROJECTS) {
      const card = page.getByRole('region', { name: project.name, exact: true });
      expect(await card.count(), project.name).toBe(1);
      expect(await card.innerText()).toContain(project.id);
      expect(await card.getByRole('button', { name: `Copy id of project ${project.name}` }).count()).toBe(1);
    }
    expect(await page.getByRole('heading', { level: 2 }).count()).toBe(3);

    // One click copies the id (the clipboard is granted to this origin), and says so.
    const ampliseq = PROJECTS[2]!;
    await page.getByRole('button', { name: `Copy id of project ${ampliseq.name}` }).click();
    await eventually(() => page.evaluate(() => navigator.clipboard.readText())).toBe(ampliseq.id);
    await eventually(() => page.getByRole('region', { name: ampliseq.name, exact: true }).getByText('Copied', { exact: true }).count()).toBe(1);

    // Registration status in words with an icon.
    const dcRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'multiqc_data', exact: true }) });
    await expectWordAndIcon(dcRow.getByText('registered', { exact: true }), 'registered');
    await screenshot(page, 'projects');
    await expectKeyboardReachable();
    await expectAccessible('the projects page');
  });

  it('dashboards: every dashboard listed; the ampliseq dashboard shows the incident verification table as valid', async () => {
    await open('/dashboards');
    await expectStructure('Dashboards');
    const list = page.getByRole('table', { name: 'Dashboards and the status of their components' });
    expect(await list.getByRole('row').count()).toBe(1 + 3);
    await expectKeyboardReachable();
    await list.getByRole('link', { name: 'nf-core/ampliseq' }).click();
    await page.waitForURL(`${server.url}/dashboards/${ID.ampliseq}`);
    await expectStructure('nf-core/ampliseq');

    const tabs = page.getByRole('table', { name: /^Components of tab / });
    await eventually(() => tabs.count()).toBe(3);
    const rows = await validationRows();
    expect(rows).toHaveLength(9 + 18 + 11);
    for (const expected of VERIFICATION_TABLE) {
      const matching = rows.filter((r) => r.type === expected.type && r.dcId === expected.dcId);
      expect(matching.length, `${expected.type} on ${expected.dcId}`).toBeGreaterThan(0);
      for (const row of matching) expect(row, `${expected.type} ${row.title}`).toMatchObject({ tag: expected.tag, status: 'valid', reasons: '—' });
    }
    const problems = rows.filter((r) => r.status !== 'valid');
    expect(problems).toEqual([]);

    const first = componentRow('cutadapt: Filtered Reads');
    await expectWordAndIcon(first.getByRole('cell').nth(5), 'valid');
    expect(await first.getByRole('button', { name: 'Copy DC id of cutadapt: Filtered Reads' }).count()).toBe(1);
    await screenshot(page, 'dashboard-ampliseq-valid');
    await expectKeyboardReachable();
    await expectAccessible('the ampliseq dashboard page');
  });

  it("a component's dc_id changed to an id that is not a DC: the row turns into an error with its reason, without a reload", async () => {
    await open(`/dashboards/${ID.ampliseq}`);
    const row = componentRow('cutadapt: Filtered Reads');
    await eventually(() => row.getByRole('cell').nth(5).innerText()).toBe('valid');
    await markWindow();

    const dashboards = mongo.db(server.dbName).collection<Document>('dashboards');
    const tab = await dashboards.findOne({ _id: new ObjectId(ID.ampliseq) });
    const components = tab!.stored_metadata as Document[];
    const target = components.findIndex((c) => c.title === 'cutadapt: Filtered Reads');
    expect(target).toBeGreaterThanOrEqual(0);
    const original = components[target]!.dc_id as unknown;
    const asStored = (hex: string) => (original instanceof ObjectId ? new ObjectId(hex) : hex);
    const setDcId = (value: unknown) =>
      dashboards.updateOne(
        { _id: new ObjectId(ID.ampliseq) },
        { $set: { stored_metadata: components.map((c, i) => (i === target ? { ...c, dc_id: value } : c)) } },
      );

    const changedAt = Date.now();
    expect((await setDcId(asStored(ID.community))).modifiedCount).toBe(1);
    await eventually(() => row.getByRole('cell').nth(5).innerText(), 5_000).toBe('error');
    const seconds = (Date.now() - changedAt) / 1000;
    expect(seconds).toBeLessThan(5);
    const cells = (await row.getByRole('cell').allInnerTexts()).map((t) => t.trim());
    expect(cells[2]).toBe(ID.community);
    expect(cells[6]).toContain(`dc_id ${ID.community} matches no data collection`);
    expect(cells[6]).toContain('dashboard tab "Community Analysis"');
    await expectWordAndIcon(row.getByRole('cell').nth(5), 'error');
    await expectNotReloaded();
    // The counts above the tables follow.
    await eventually(() => page.getByRole('status').filter({ hasText: /valid/ }).first().innerText()).toMatch(/1 error/);
    // "Problems only" keeps only that row.
    await page.getByRole('checkbox', { name: 'Problems only (warnings and errors)' }).check();
    expect((await validationRows()).map((r) => `${r.title}: ${r.status}`)).toEqual(['cutadapt: Filtered Reads: error']);
    await screenshot(page, 'dashboard-ampliseq-dc-id-error');
    await expectAccessible('the dashboard page with an error row');
    await page.getByRole('checkbox', { name: 'Problems only (warnings and errors)' }).uncheck();

    // Put back: the row is valid again, still without a reload.
    await setDcId(original);
    await eventually(() => row.getByRole('cell').nth(5).innerText(), 5_000).toBe('valid');
    await expectNotReloaded();
  });

  it('an accessibility check of every page, light and dark (axe-core: no serious or critical violations)', async () => {
    const pages: Array<[string, string]> = [
      ['/', 'overview'],
      ['/workers', 'workers'],
      [`/workers?run=${encodeURIComponent(firstBoot.run_id)}`, 'workers-filtered'],
      ['/projects', 'projects'],
      ['/dashboards', 'dashboards'],
      [`/dashboards/${ID.ampliseq}`, 'dashboard-ampliseq'],
      ['/dashboards/6824cb3b89d2b72169309738', 'dashboard-penguins'],
    ];
    try {
      for (const scheme of ['light', 'dark'] as const) {
        // The theme follows the system's by default.
        await page.emulateMedia({ colorScheme: scheme });
        for (const [path, name] of pages) {
          await open(path);
          await page.getByRole('heading', { level: 1 }).waitFor();
          expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(scheme === 'dark');
          await expectAccessible(`${path} (${scheme})`);
          await screenshot(page, `a11y-${name}-${scheme}`);
        }
      }
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
    // The sign-in page, as a signed-out visitor sees it (once the console has one).
    const signedOut = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const visitor = await signedOut.newPage();
      const response = await visitor.goto(`${server.url}/sign-in`);
      if (response?.status() !== 404) {
        expect(response?.status()).toBe(200);
        await visitor.getByRole('button', { name: 'Sign in' }).waitFor();
        const violations = await seriousA11yViolations(visitor);
        expect(violations, 'serious or critical axe-core violations on /sign-in').toEqual([]);
        await screenshot(visitor, 'a11y-sign-in-light');
      }
    } finally {
      await signedOut.close();
    }
  });

  // Last: the database comes back empty. Only with the tests' own database: an external
  // MONGODB_URI is not the tests' to stop.
  it.skipIf(Boolean(process.env.MONGODB_URI))('the database stopped: the overview shows the unreachable banner instead of crashing, and recovers', async () => {
    await open('/');
    const lock = page.getByRole('region', { name: 'Lock' });
    await eventually(() => lock.count()).toBe(1);
    await markWindow();

    await server.stopDatabase();
    const banner = page.getByRole('alert').filter({ hasText: 'The database cannot be reached' });
    await eventually(() => banner.count(), 15_000).toBe(1);
    await eventually(() => page.getByRole('status').filter({ hasText: 'Database unreachable' }).count(), 10_000).toBe(1);
    // Not a crash: the heading, the navigation and the last good data stay on screen under the banner.
    await expectStructure('Overview');
    expect(await lock.count()).toBe(1);
    // It says why: the database is unavailable (a 503 naming the refused address), not an internal error.
    const reason = await banner.innerText();
    expect(reason).toContain('keeps trying');
    expect(reason).toMatch(/database unavailable: /);
    expect(reason).not.toContain('internal error');
    await expectNotReloaded();
    await screenshot(page, 'overview-database-unreachable');
    await expectAccessible('the overview with the database down');

    // A page opened while the database is down renders too, and says why.
    const other = await context.newPage();
    const response = await other.goto(`${server.url}/projects`);
    expect(response?.status()).toBe(200);
    await other.getByRole('alert').filter({ hasText: 'The database cannot be reached' }).waitFor({ timeout: 15_000 });
    // Before its first answer the status does not claim "live"; then it says unreachable.
    expect(await other.getByRole('status').filter({ hasText: /^Live/ }).count()).toBe(0);
    await eventually(() => other.getByRole('status').filter({ hasText: 'Database unreachable' }).count()).toBe(1);
    await screenshot(other, 'projects-database-unreachable');
    await other.close();

    await server.startDatabase();
    await eventually(() => banner.count(), 30_000).toBe(0);
    await eventually(
      () =>
        page
          .getByRole('status')
          .filter({ hasText: /^Live · every/ })
          .count(),
      10_000,
    ).toBe(1);
    // The database came back empty: the overview says so, on the same page.
    await eventually(() => lock.innerText(), 10_000).toContain('No lock document yet');
    await expectNotReloaded();
    await screenshot(page, 'overview-database-back');
  });
});

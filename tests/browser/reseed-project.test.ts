/**
 * The Projects page's per-project Reseed in a real browser, against the production build and the
 * console's own database seeded by the real multi-worker boot: the dialog shows the plan, starts
 * only when the project's name is typed exactly, one run for a double click, progress and verdict
 * live; a held lease is refused naming its holder; a viewer has no Reseed control. Each project
 * shows where it was seeded from.
 */
import { MongoClient, ObjectId, type Db } from 'mongodb';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seenStateKey } from '../../lib/admin/seen-state';
import { ServerClock } from '../../lib/db/server-clock';
import { workersReportSchema, type WorkersReport } from '../../lib/history/verdict';
import { acquireLease } from '../../lib/lock/lease';
import { lastJsonLine, runCli } from '../support/cli';
import { TEST_PASSWORDS } from '../support/seeds';
import { callAction, findAction, signInCookie } from './support/actions';
import { launchBrowser, screenshot, seriousA11yViolations } from './support/browser';
import { ADMIN, startConsole, VIEWER, type ConsoleServer } from './support/console-server';
import { signIn } from './support/sign-in';

const IRIS = { id: '646b0f3c1e4a2d7f8e5b8c9a', name: 'Iris Dataset Project Data Analysis', folder: 'init/iris' };
const PENGUINS = { id: '646b0f3c1e4a2d7f8e5b8c9d', name: 'Palmer Penguins Species Comparison' };

let server: ConsoleServer;
let browser: Browser;
let admin: BrowserContext;
let page: Page;
let mongo: MongoClient;
let db: Db;
let boot: WorkersReport;
const pageErrors: string[] = [];

const eventually = <T>(read: () => Promise<T> | T, timeout = 10_000) => expect.poll(read, { timeout, interval: 100 });

const card = (p: Page, name: string) => p.getByRole('region', { name, exact: true });
const reseedButton = (p: Page, name: string) => card(p, name).getByRole('button', { name: `Reseed project ${name}…` });
const dialogOf = (name: string) => page.getByRole('dialog', { name: `Reseed project ${name}` });
/** A row of the plan table: the collection's name, then to delete, to write, kept. */
const planRow = async (dialog: Locator, collection: string) => {
  const row = dialog
    .getByRole('table', { name: /^What reseeding / })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: collection, exact: true }) });
  return (await row.getByRole('cell').allInnerTexts()).map((t) => t.trim());
};

async function openProjects(p: Page): Promise<void> {
  const response = await p.goto(`${server.url}/projects`);
  expect(response?.status()).toBe(200);
  await card(p, IRIS.name).waitFor();
}

beforeAll(async () => {
  server = await startConsole();
  const [result, launched] = await Promise.all([
    runCli('workers', ['-n', '2', '--wipe', '--generation', 'rp-g1', '--json'], { MONGODB_URI: server.dbUri, MONGODB_DB: server.dbName, ...TEST_PASSWORDS }),
    launchBrowser(),
  ]);
  if (result.code !== 0) throw new Error(`npm run workers exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  boot = workersReportSchema.parse(lastJsonLine(result.stdout));
  browser = launched;
  mongo = new MongoClient(server.dbUri, { serverSelectionTimeoutMS: 5_000 });
  db = mongo.db(server.dbName);
  admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  admin.on('weberror', (e) => pageErrors.push(e.error().message));
  page = await admin.newPage();
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

describe('Projects: provenance and the per-project Reseed', () => {
  it("each project names its seed folder, its last seeding's run (linked) and that the folder is unchanged", async () => {
    await openProjects(page);
    const provenance = card(page, IRIS.name).getByRole('definition');
    const text = (await provenance.allInnerTexts()).join(' | ');
    expect(text).toContain(IRIS.folder);
    expect(text).toContain('unchanged since that seeding');
    const run = card(page, IRIS.name).getByRole('link', { name: boot.run_id, exact: true });
    expect(await run.getAttribute('href')).toBe(`/workers?run=${encodeURIComponent(boot.run_id)}`);
    expect(await card(page, IRIS.name).locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('reseeds iris through the dialog: the plan, the typed name, one run for a double click, progress and verdict; user data stays', async () => {
    // What a user made since: a dashboard inside iris and an account. The reseed keeps both.
    const userDashboard = new ObjectId();
    const userId = new ObjectId();
    await db.collection('dashboards').insertOne({ _id: userDashboard, title: 'my iris notes', project_id: new ObjectId(IRIS.id), stored_metadata: [] });
    await db.collection('users').insertOne({ _id: userId, email: 'someone@example.com', is_admin: false });
    const penguinsBefore = await db.collection('projects').findOne({ _id: new ObjectId(PENGUINS.id) });
    const dashboardsNow = await db.collection('dashboards').countDocuments();
    const usersNow = await db.collection('users').countDocuments();

    await openProjects(page);
    const open = reseedButton(page, IRIS.name);
    await open.click();
    const dialog = dialogOf(IRIS.name);
    await eventually(() => dialog.isVisible()).toBe(true);
    const field = dialog.getByLabel(`Type the project's name, ${IRIS.name}, to confirm`);
    expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);

    // Escape closes it and gives the focus back to its button; it opens again.
    await page.keyboard.press('Escape');
    await eventually(() => dialog.isVisible()).toBe(false);
    expect(await open.evaluate((el) => el === document.activeElement)).toBe(true);
    await open.click();
    await eventually(() => dialog.isVisible()).toBe(true);

    // The plan, per collection, counted on the database as it is.
    await dialog.getByRole('table', { name: /^What reseeding / }).waitFor();
    expect(await planRow(dialog, 'projects')).toEqual(['projects', '1', '1', '2']);
    expect(await planRow(dialog, 'dashboards')).toEqual(['dashboards', '1', '1', String(dashboardsNow - 1)]);
    expect(await planRow(dialog, 'users')).toEqual(['users', '0', '0', String(usersNow)]);
    const notes = (await dialog.getByRole('list', { name: 'What the plan says' }).innerText()).replace(/\s+/g, ' ');
    expect(notes).toContain(IRIS.folder);
    expect(notes).toMatch(/Kept: users/);
    expect(notes).toContain('1 dashboard made by users inside this project');

    // A wrong name keeps the button disabled, and Enter starts nothing.
    const confirm = dialog.getByRole('button', { name: `Reseed ${IRIS.name}` });
    expect(await confirm.isDisabled()).toBe(true);
    for (const wrong of [IRIS.name.slice(0, -1), `${IRIS.name} `, IRIS.name.toLowerCase(), PENGUINS.name]) {
      await field.fill(wrong);
      expect(await confirm.isDisabled(), wrong).toBe(true);
    }
    await field.press('Enter');
    expect(await db.collection('init_history').countDocuments({ run_id: /^reseed-project-/ })).toBe(0);
    await field.fill(IRIS.name);
    expect(await confirm.isDisabled()).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'reseed-project-dialog');

    const stateBefore = await db.collection<{ _id: string; generation: string; fence: number }>('initialization').findOne({ _id: 'init_state' });
    // A double click: one run. Its progress, then its verdict, show in the dialog.
    await confirm.dblclick();
    const progress = dialog.getByRole('region', { name: 'Progress of the run' });
    const status = progress.getByRole('status');
    await eventually(() => status.count())
      .toBe(1)
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\nthe dialog says: ${await dialog.innerText()}`);
      });
    const runId = /run (reseed-project-[0-9a-f]{16})/.exec(await status.innerText())?.[1];
    expect(runId, await status.innerText()).toBeDefined();
    expect(await progress.getByRole('link', { name: runId! }).getAttribute('href')).toBe(`/workers?run=${encodeURIComponent(runId!)}`);
    await eventually(() => status.innerText(), 30_000).toContain('finished');
    await eventually(() => progress.getByRole('list', { name: 'Events of the run so far' }).innerText()).toContain('completed');
    expect(await progress.getByText('pass', { exact: true }).count()).toBe(1);
    // Nothing more to start from here: the button stays, disabled.
    expect(await confirm.isDisabled()).toBe(true);
    await screenshot(page, 'reseed-project-done');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The history has one run of it (one boot), for iris only, with its verdict's events.
    const events = await db.collection('init_history').find({ run_id: runId }).toArray();
    const boots = events.filter((e) => e.event === 'boot');
    expect(boots).toHaveLength(1);
    expect(events.filter((e) => e.event === 'completed')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'seeded-project').map((e) => e.detail.project_id)).toEqual([IRIS.id]);
    expect(await db.collection('init_history').countDocuments({ run_id: /^reseed-project-/, event: 'boot' })).toBe(1);

    // The same request again from the state the dialog saw (a click that got through, another tab): that run, nothing new.
    // A wrong name is refused by the action itself too, not only by the disabled button.
    const cookie = await signInCookie(server, ADMIN);
    const reseedProject = findAction('reseedProjectAction');
    const request = { seen_state: seenStateKey(stateBefore), project_id: IRIS.id, confirm_project: IRIS.name };
    expect((await callAction(server, reseedProject, [request], cookie)).result).toMatchObject({ ok: true, run_id: runId, already_started: true });
    const wrongName = await callAction(server, reseedProject, [{ ...request, seen_state: 'none', confirm_project: 'iris' }], cookie);
    expect(wrongName.result).toMatchObject({ ok: false, code: 'invalid' });
    expect(String(wrongName.result?.error)).toContain(`type the project's name, ${IRIS.name}, exactly`);
    expect(await db.collection('init_history').countDocuments({ run_id: /^reseed-project-/, event: 'boot' })).toBe(1);

    // Kept: the user's dashboard and account, the other projects as they were.
    expect(await db.collection('dashboards').countDocuments({ _id: userDashboard })).toBe(1);
    expect(await db.collection('users').countDocuments({ _id: userId })).toBe(1);
    expect(await db.collection('projects').findOne({ _id: new ObjectId(PENGUINS.id) })).toEqual(penguinsBefore);
    expect((await db.collection('projects').findOne({ _id: new ObjectId(IRIS.id) }))?.seeded_run_id).toBe(runId);

    // Closing gives the focus back; the page now says iris was last seeded by that run.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await eventually(() => dialog.isVisible()).toBe(false);
    expect(await open.evaluate((el) => el === document.activeElement)).toBe(true);
    await eventually(() => card(page, IRIS.name).getByRole('link', { name: runId!, exact: true }).count()).toBe(1);
    expect(await card(page, PENGUINS.name).getByRole('link', { name: boot.run_id, exact: true }).count()).toBe(1);
  }, 120_000);

  it('while a worker holds the lease, the dialog says who holds it and nothing starts', async () => {
    // The reseed's worker has released the lease (its last event comes after its verdict's).
    await eventually(
      async () => (await db.collection<{ _id: string; holder?: unknown }>('initialization').findOne({ _id: 'init_lock' }))?.holder ?? null,
    ).toBeNull();
    const clock = new ServerClock(db);
    const holder = { worker_id: 'rp-holder@test', host: 'test', pid: 1, version: 't', run_id: 'rp-holding-run', generation: 'rp-holding' };
    const taken = await acquireLease(db, clock, holder, 60_000);
    expect(taken.acquired).toBe(true);
    try {
      await openProjects(page);
      await reseedButton(page, IRIS.name).click();
      const dialog = dialogOf(IRIS.name);
      await dialog.getByRole('table', { name: /^What reseeding / }).waitFor();
      const runsBefore = await db.collection('init_history').countDocuments({ event: 'boot' });
      await dialog.getByLabel(`Type the project's name, ${IRIS.name}, to confirm`).fill(IRIS.name);
      await dialog.getByRole('button', { name: `Reseed ${IRIS.name}` }).click();
      const alert = dialog.getByRole('alert');
      await eventually(() => alert.count()).toBe(1);
      expect(await alert.innerText()).toMatch(/No run was started: rp-holder@test holds the lock \(run rp-holding-run\)/);
      expect(await db.collection('init_history').countDocuments({ event: 'boot' })).toBe(runsBefore);
      expect(await dialog.getByRole('region', { name: 'Progress of the run' }).count()).toBe(0);
      await screenshot(page, 'reseed-project-refused-lease-held');
      await page.keyboard.press('Escape');
    } finally {
      if (taken.acquired) await taken.lease.release();
    }
  });

  it("the overview's full Reseed dialog shows the plan for everything and says plainly that user dashboards and accounts go", async () => {
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    await page.getByRole('button', { name: 'Reseed…' }).click();
    const dialog = page.getByRole('dialog', { name: /Reseed .*: wipe, then seed/ });
    await eventually(() => dialog.isVisible()).toBe(true);
    expect(await dialog.innerText()).toContain('It deletes every user dashboard and every user account');
    const plan = dialog.getByRole('table', { name: /^The seed plan/ });
    await plan.waitFor();
    const row = async (collection: string) =>
      (
        await plan
          .getByRole('row')
          .filter({ has: page.getByRole('cell', { name: collection, exact: true }) })
          .getByRole('cell')
          .allInnerTexts()
      ).map((t) => t.trim());
    // Everything of users and dashboards is deleted (the account and dashboard users made above among them), the seeds' written again.
    const [users, dashboards] = await Promise.all([db.collection('users').countDocuments(), db.collection('dashboards').countDocuments()]);
    expect(await row('users')).toEqual(['users', String(users), '2', '0']);
    expect(await row('dashboards')).toEqual(['dashboards', String(dashboards), '5', '0']);
    const notes = (await dialog.getByRole('list', { name: 'What the plan says' }).innerText()).replace(/\s+/g, ' ');
    expect(notes).toContain('1 dashboard made by users among them');
    expect(notes).toContain('1 user not in the seeds among them');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'reseed-all-dialog-with-plan');
    await page.keyboard.press('Escape');
    await eventually(() => dialog.isVisible()).toBe(false);
    expect(await db.collection('users').countDocuments()).toBe(users);
  });

  it('a viewer sees the provenance and no Reseed control', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const viewer = await context.newPage();
      await signIn(viewer, server, VIEWER);
      await openProjects(viewer);
      expect(await viewer.getByRole('button', { name: /Reseed/ }).count()).toBe(0);
      expect(await viewer.getByRole('dialog').count()).toBe(0);
      expect((await card(viewer, IRIS.name).innerText()).replace(/\s+/g, ' ')).toContain(IRIS.folder);
    } finally {
      await context.close();
    }
  });
});

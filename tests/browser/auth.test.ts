/**
 * Signing in, roles and the admin's reseed, in a real browser (Debian's Chromium through
 * playwright-core) against the production build served by `next start`, with the console's own
 * database seeded by the real multi-worker boot. Then the concurrent reseeds over HTTP, and a
 * production start without a session secret.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_FAILED } from '../../lib/auth/sign-in';
import { INIT_HISTORY, INITIALIZATION, LOCK_ID, PRESERVED_COLLECTIONS } from '../../lib/db/collections';
import { runVerdict } from '../../lib/history/verdict';
import { PROJECT_ROOT, runCli } from '../support/cli';
import { TEST_PASSWORDS } from '../support/seeds';
import { snapshot } from '../support/snapshot';
import { callAction, findAction, signInCookie } from './support/actions';
import { launchBrowser, screenshot, seriousA11yViolations } from './support/browser';
import { ADMIN, VIEWER, startConsole, type ConsoleServer } from './support/console-server';

let server: ConsoleServer;
let browser: Browser;
let mongo: MongoClient;
let db: Db;

const eventually = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

beforeAll(async () => {
  server = await startConsole();
  const seeded = await runCli('workers', ['-n', '3'], { MONGODB_URI: server.dbUri, MONGODB_DB: server.dbName, ...TEST_PASSWORDS });
  if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stdout}\n${seeded.stderr}`);
  mongo = await new MongoClient(server.dbUri).connect();
  db = mongo.db(server.dbName);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await mongo?.close();
  await server?.stop();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return { context, page: await context.newPage() };
}

async function fillSignIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signIn(page: Page, user: { email: string; password: string }, path = '/'): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.waitForURL((url) => url.pathname === '/sign-in');
  await fillSignIn(page, user);
  await page.waitForURL((url) => url.pathname === path.split('?')[0]);
}

describe('signing in', () => {
  it('sends a signed-out visitor to the sign-in page, and back to where they were going after', async () => {
    const { context, page } = await newPage();
    await page.goto(`${server.url}/workers?event=boot`);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/workers?event=boot');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' }).count()).resolves.toBe(1);
    // Nothing of the console shows before signing in.
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'auth-sign-in-page');

    // A wrong password and a wrong email get the same message, which says neither. The password
    // field is emptied once the answer is in (it is never sent back); the email stays.
    const password = page.getByLabel('Password', { exact: true });
    const alert = page.getByRole('alert').filter({ hasText: 'Sign-in failed' });
    await fillSignIn(page, { ...ADMIN, password: 'not-the-password' });
    await eventually(() => password.inputValue()).toBe('');
    expect(await alert.innerText()).toBe(SIGN_IN_FAILED);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(ADMIN.email);
    await fillSignIn(page, { email: 'nobody@example.com', password: ADMIN.password });
    await eventually(() => password.inputValue()).toBe('');
    expect(await alert.innerText()).toBe(SIGN_IN_FAILED);
    await screenshot(page, 'auth-sign-in-refused');

    await fillSignIn(page, VIEWER);
    await page.waitForURL((url) => url.pathname === '/workers');
    expect(new URL(page.url()).search).toBe('?event=boot');
    const banner = page.getByRole('banner');
    await eventually(() => banner.innerText()).toContain(VIEWER.email);
    expect(await banner.innerText()).toContain('viewer');
    await context.close();
  });
});

describe('an admin reseeds from the overview', () => {
  it('opens Reseed, the confirm button stays disabled until the database name is typed, and the new run appears with a passing verdict without reloading', async () => {
    const { context, page } = await newPage();
    await signIn(page, ADMIN);
    const banner = page.getByRole('banner');
    await eventually(() => banner.innerText()).toContain(ADMIN.email);
    expect(await banner.innerText()).toContain('admin');
    expect(await banner.getByRole('button', { name: 'Sign out' }).count()).toBe(1);

    // The dialog names each collection the wipe empties, with its documents now.
    const counts = await Promise.all(
      (await db.listCollections({}, { nameOnly: true }).toArray())
        .map((c) => c.name)
        .filter((name) => !PRESERVED_COLLECTIONS.includes(name))
        .map(async (name) => ({ name, count: await db.collection(name).countDocuments() })),
    );
    expect(counts.find((c) => c.name === 'projects')?.count).toBe(3);

    const open = page.getByRole('button', { name: 'Reseed…' });
    await open.click();
    const dialog = page.getByRole('dialog', { name: /Reseed .*: wipe, then seed/ });
    await eventually(() => dialog.isVisible()).toBe(true);
    // Escape closes it; it opens again.
    await page.keyboard.press('Escape');
    await eventually(() => dialog.isVisible()).toBe(false);
    await open.click();
    await eventually(() => dialog.isVisible()).toBe(true);
    for (const { name, count } of counts) {
      const row = dialog.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
      expect(await row.getByRole('cell').innerText(), name).toBe(String(count));
    }
    expect(await dialog.getByRole('rowheader', { name: 'init_history', exact: true }).count()).toBe(0);

    const confirm = dialog.getByRole('button', { name: 'Wipe and reseed' });
    const field = dialog.getByLabel(`Type the database name, ${server.dbName}, to confirm`);
    expect(await confirm.isDisabled()).toBe(true);
    await field.fill(server.dbName.slice(0, -1));
    expect(await confirm.isDisabled()).toBe(true);
    await field.fill(`${server.dbName} `);
    expect(await confirm.isDisabled()).toBe(true);
    await field.fill(server.dbName);
    expect(await confirm.isDisabled()).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'auth-reseed-dialog');

    await page.evaluate(() => ((window as unknown as { __marker?: string }).__marker = 'not reloaded'));
    // A double click: one run.
    await confirm.dblclick();
    const status = page.getByRole('status').filter({ hasText: /^Reseed (started|was already started): run / });
    await eventually(() => status.count()).toBe(1);
    const runId = /run (reseed-[0-9a-f]{16})/.exec(await status.innerText())?.[1];
    expect(runId).toBeDefined();
    expect(await dialog.isVisible()).toBe(false);

    // The overview's "Last run" card shows the new run with its verdict, by polling.
    const lastRun = page.getByRole('region', { name: 'Last run' });
    await eventually(() => lastRun.innerText(), 20_000).toContain(runId!);
    await eventually(() => lastRun.innerText(), 20_000).toMatch(/\bpass\b/);
    expect(await lastRun.innerText()).toContain('1 wipe');
    expect(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('not reloaded');
    await screenshot(page, 'auth-reseed-done');

    const verdict = await runVerdict(db, runId!, { projects: 3 });
    expect(verdict).toMatchObject({ pass: true, acquired: 1, wipes: 1, completions: 1 });
    expect(await db.collection(INIT_HISTORY).countDocuments({ event: 'boot', run_id: { $regex: /^reseed-/ } })).toBe(1);
    const recorded = await db.collection(INIT_HISTORY).find({ event: 'admin-action', 'detail.action': 'reseed', 'detail.by': ADMIN.email }).toArray();
    expect(recorded.length).toBeGreaterThanOrEqual(1);
    expect(recorded[0]).toMatchObject({ run_id: runId, detail: { outcome: 'ok', params: { confirm_database: server.dbName } } });

    // Seed missing: nothing is absent after the reseed, so the run writes nothing, and passes.
    await page.getByRole('button', { name: 'Seed missing' }).click();
    const seedStatus = page.getByRole('status').filter({ hasText: /^Seed missing (started|was already started): run / });
    await eventually(() => seedStatus.count()).toBe(1);
    const seedRun = /run (seed-missing-[0-9a-f]{16})/.exec(await seedStatus.innerText())?.[1];
    await eventually(() => lastRun.innerText(), 20_000).toContain(seedRun!);
    await eventually(() => lastRun.innerText(), 20_000).toMatch(/\bpass\b/);
    expect(await lastRun.innerText()).toContain('0 wipes');
    expect((await runVerdict(db, seedRun!)).pass).toBe(true);

    // The reseed recreated the users: the admin is still signed in.
    const response = await page.goto(`${server.url}/workers`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/workers');

    // Signing out ends it, and a copy of the cookie taken before is refused everywhere after.
    const copy = (await context.cookies()).find((c) => c.name === 'console_session');
    expect(copy?.value).toBeTruthy();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await page.goto(`${server.url}/`);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await context.close();
    const replayed = `console_session=${copy!.value}`;
    expect((await fetch(`${server.url}/api/overview`, { headers: { cookie: replayed } })).status).toBe(401);
    const pageLoad = await fetch(`${server.url}/workers`, { headers: { cookie: replayed }, redirect: 'manual' });
    expect(pageLoad.status).toBe(307);
    expect(pageLoad.headers.get('location')).toMatch(/^\/sign-in\?next=/);
    const action = await callAction(server, findAction('seedMissingAction'), [{ idempotency_key: 'replayed-after-sign-out' }], replayed);
    expect(action.result).toMatchObject({ ok: false, code: 'unauthenticated' });
  });
});

describe('an admin force-releases the lock', () => {
  it('is offered at once for an expired lease, only after typing the worker id for a live one, and the lock card says who did it', async () => {
    const lockDoc = (await db.collection(INITIALIZATION).findOne({ _id: LOCK_ID } as never))!;
    const fence = (lockDoc.fence as number) + 1;
    const holder = (worker: string) => ({
      worker_id: worker,
      host: 'gone-host',
      pid: 4242,
      version: 'test',
      run_id: `run-${worker}`,
      generation: `g-${worker}`,
    });
    const hold = (worker: string, expiresInMs: number) =>
      db.collection(INITIALIZATION).updateOne({ _id: LOCK_ID } as never, {
        $set: { holder: holder(worker), lease_expires_at: new Date(Date.now() + expiresInMs), acquired_at: new Date(), renewed_at: new Date(), renewals: 0 },
        $inc: { fence: 1 },
      });
    await hold('live-worker', 120_000);

    const { context, page } = await newPage();
    await signIn(page, ADMIN);
    const lockCard = page.getByRole('region', { name: 'Lock' });
    await eventually(() => lockCard.innerText()).toContain('live-worker');
    expect(await lockCard.getByRole('button', { name: 'Force-release the lock' }).count()).toBe(0);
    await lockCard.getByText('Force-release a live lease…').click();
    const releaseLive = lockCard.getByRole('button', { name: 'Force-release the live lease' });
    expect(await releaseLive.isDisabled()).toBe(true);
    await lockCard.getByLabel(/Type its worker id/).fill('live-worke');
    expect(await releaseLive.isDisabled()).toBe(true);
    await lockCard.getByLabel(/Type its worker id/).fill('live-worker');
    expect(await releaseLive.isDisabled()).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'auth-force-release-live');

    // The lease expires meanwhile (another worker died): now the button is there at once.
    await hold('dead-worker', -5_000);
    const release = lockCard.getByRole('button', { name: 'Force-release the lock' });
    await eventually(() => release.count()).toBe(1);
    await release.click();
    await eventually(() => lockCard.innerText()).toContain(`Force-released by\n${ADMIN.email}`);
    expect(await lockCard.innerText()).toContain('dead-worker');
    await screenshot(page, 'auth-force-released');

    const lock = await db.collection(INITIALIZATION).findOne({ _id: LOCK_ID } as never);
    expect(lock).toMatchObject({ holder: null, fence: fence + 1, force_released_by: ADMIN.email, force_released_holder: 'dead-worker' });
    expect(await db.collection(INIT_HISTORY).findOne({ event: 'force-released', run_id: 'run-dead-worker' })).toMatchObject({
      worker_id: `admin:${ADMIN.email}`,
      detail: { by: ADMIN.email, holder: 'dead-worker', expired: true },
    });
    expect(await db.collection(INIT_HISTORY).findOne({ event: 'admin-action', 'detail.action': 'force-release', 'detail.outcome': 'ok' })).toMatchObject({
      run_id: 'run-dead-worker',
      detail: { by: ADMIN.email, params: { fence: fence + 1 } },
    });
    await context.close();
  });
});

describe('a viewer', () => {
  it('sees every page but no Reseed, Seed missing or force-release, and a direct call of the action is refused', async () => {
    // An expired lease: an admin would be offered the force-release now.
    const stale = { worker_id: 'stale-worker', host: 'gone-host', pid: 1, version: 'test', run_id: 'run-stale-worker', generation: 'g-stale' };
    await db
      .collection(INITIALIZATION)
      .updateOne({ _id: LOCK_ID } as never, { $set: { holder: stale, lease_expires_at: new Date(Date.now() - 60_000) }, $inc: { fence: 1 } });
    const { context, page } = await newPage();
    await signIn(page, VIEWER);
    await eventually(() => page.getByRole('region', { name: 'Lock' }).innerText()).toContain('stale-worker');
    for (const name of ['Reseed…', 'Seed missing', 'Force-release the lock']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(await page.getByText('Force-release a live lease…').count()).toBe(0);
    expect(await page.getByText('Admin actions').count()).toBe(0);
    await screenshot(page, 'auth-viewer-overview');

    // The browser's own session, calling the action by its id as a crafted request would.
    const reseed = findAction('reseedAction');
    const before = await snapshot(db, { omit: [] });
    const answer = await page.evaluate(
      async ({ id, dbName }) => {
        const response = await fetch('/', {
          method: 'POST',
          headers: { 'Next-Action': id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' },
          body: JSON.stringify([{ seen_state: 'none', confirm_database: dbName }]),
        });
        return response.text();
      },
      { id: reseed.id, dbName: server.dbName },
    );
    expect(answer).toContain('"code":"forbidden"');
    const after = await snapshot(db);
    for (const name of Object.keys(before)) if (name !== INIT_HISTORY) expect(after[name], name).toEqual(before[name]);
    expect(await db.collection(INIT_HISTORY).countDocuments({ event: 'admin-action', 'detail.by': VIEWER.email, 'detail.outcome': 'forbidden' })).toBe(1);
    await context.close();
    await db.collection(INITIALIZATION).updateOne({ _id: LOCK_ID } as never, { $set: { holder: null } });
  });
});

describe('a role change', () => {
  it('refuses the sessions made with the old role, on pages, route handlers and actions', async () => {
    const cookie = await signInCookie(server, VIEWER);
    expect((await fetch(`${server.url}/api/overview`, { headers: { cookie } })).status).toBe(200);
    const viewer = await db.collection('users').findOne({ email: VIEWER.email });
    await db.collection('users').updateOne({ _id: viewer!._id }, { $set: { is_admin: true } });
    try {
      await new Promise((r) => setTimeout(r, 400)); // past the instance's 250 ms memory of the check
      expect((await fetch(`${server.url}/api/overview`, { headers: { cookie } })).status).toBe(401);
      expect((await fetch(`${server.url}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(307);
      // Signing in again gives the role the user has now.
      const promoted = await signInCookie(server, VIEWER);
      const overview = await fetch(`${server.url}/api/overview`, { headers: { cookie: promoted } });
      expect(overview.status).toBe(200);
    } finally {
      await db.collection('users').updateOne({ _id: viewer!._id }, { $set: { is_admin: false } });
    }
  });
});

describe('two reseeds at the same moment', () => {
  it('from two sessions: one run starts, and the other answer names its holder', async () => {
    const [first, second] = await Promise.all([signInCookie(server, ADMIN), signInCookie(server, ADMIN)]);
    const reseed = findAction('reseedAction');
    const runsBefore = (await db.collection(INIT_HISTORY).distinct('run_id', { event: 'boot' })) as string[];
    const answers = await Promise.all(
      [first, second].map((cookie, i) => callAction(server, reseed, [{ seen_state: `g-concurrent@${i}`, confirm_database: server.dbName }], cookie)),
    );
    const results = answers.map((a) => a.result);
    const started = results.filter((r) => r?.ok === true);
    const refused = results.filter((r) => r?.ok === false);
    expect(started, JSON.stringify(results)).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const runId = started[0]!.run_id as string;
    const boot = await db.collection(INIT_HISTORY).findOne({ run_id: runId, event: 'boot' });
    expect(refused[0]).toMatchObject({ code: 'conflict', holder: boot?.worker_id, lease_expires_at: expect.stringMatching(/^\d{4}-/) });
    expect(refused[0]!.error).toContain(`${boot?.worker_id} holds the lock (run ${runId}) until `);
    // One run: the refused key started none.
    const runsAfter = (await db.collection(INIT_HISTORY).distinct('run_id', { event: 'boot' })) as string[];
    expect(runsAfter.filter((id) => !runsBefore.includes(id))).toEqual([runId]);
    await eventually(async () => (await runVerdict(db, runId)).completions, 20_000).toBe(1);
    expect(await runVerdict(db, runId, { projects: 3 })).toMatchObject({ pass: true, acquired: 1, wipes: 1 });
  });
});

describe('a production start', () => {
  const base: Record<string, string> = {
    NODE_ENV: 'production',
    ADMIN_PASSWORD: 'configured-admin-password',
    MONGODB_URI: 'mongodb://127.0.0.1:9',
    SESSION_SECRET: '',
  };

  it('without SESSION_SECRET: `next start` refuses at once with a clear message', async () => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/next/dist/bin/next'), 'start', '--port', '0'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...base } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, output).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(output).toContain('The console cannot start.');
    expect(output).toContain('SESSION_SECRET is not set: in production the console refuses to start without a secret of at least 32 bytes');
  });

  it('`npm start` refuses before building or starting anything, and a short secret is named too', async () => {
    const missing = await runCli('start', [], base);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('SESSION_SECRET is not set: in production the console refuses to start');
    expect(missing.stdout).not.toContain('embedded database');
    expect(missing.ms).toBeLessThan(15_000);
    const short = await runCli('start', [], { ...base, SESSION_SECRET: 'too-short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('SESSION_SECRET must be at least 32 bytes (got 9)');
    expect(short.stderr).not.toContain('too-short');
  });
});

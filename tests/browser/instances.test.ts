/**
 * Two live `next start` instances of one `.next` build on one database, as behind a load balancer
 * without sticky sessions: the same SESSION_SECRET and NEXT_SERVER_ACTIONS_ENCRYPTION_KEY. A session
 * signed in on one is accepted by the other; a page served by one calls its server actions on the
 * other; a reseed and a drill asked of both at the same moment run once.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRILL_RUNS, INIT_HISTORY, INITIALIZATION, LOCK_ID, STATE_ID } from '../../lib/db/collections';
import { DRILL_LEASE_ID } from '../../lib/drill/lease';
import { PROJECT_ROOT, runCli } from '../support/cli';
import { clearFaults, releaseParked, setFault, waitParked } from '../support/faults';
import { SEEDED_ADMIN, sessionCookie } from '../support/session';
import { callAction, findAction, signInCookie } from './support/actions';
import { launchBrowser, screenshot } from './support/browser';
import { ensureProductionBuild } from './support/build';
import { ADMIN, startConsole, type ConsoleServer } from './support/console-server';
import { startLoadBalancer, type LoadBalancer } from './support/load-balancer';
import { startSecondInstance, type ConsoleInstance } from './support/second-instance';
import { signIn } from './support/sign-in';

let a: ConsoleServer;
let b: ConsoleInstance;
let balancer: LoadBalancer;
let browser: Browser;
let mongo: MongoClient;
let db: Db;
const secret = randomBytes(32).toString('hex');
const LEASE_MS = 3_000;

const eventually = <T>(fn: () => Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 200 });

/** What the pages show, for a failure's message. */
async function shown(pages: Page[]): Promise<string> {
  const texts = await Promise.all(
    pages.map(async (p, i) => {
      await screenshot(p, `instances-failure-${i}`).catch(() => '');
      return `${p.url()}:\n${(
        await p
          .locator('body')
          .innerText()
          .catch(() => '')
      ).slice(0, 1500)}`;
    }),
  );
  return texts.join('\n---\n');
}

beforeAll(async () => {
  ensureProductionBuild();
  // `next build` keys the action ids and the bound-argument encryption with this key (from the
  // environment, or one it made and stored in the build); every instance must run with the same.
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, '.next/server/server-reference-manifest.json'), 'utf8')) as { encryptionKey: string };
  // A short lease (reseed and drill alike): a killed console's drill is seen interrupted within seconds.
  const shared = { SESSION_SECRET: secret, NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: manifest.encryptionKey, INIT_LEASE_MS: String(LEASE_MS) };
  a = await startConsole(shared);
  const boot = await runCli('workers', ['-n', '2', '--wipe', '--generation', 'instances'], a.env);
  expect(boot.code, boot.stderr).toBe(0);
  b = await startSecondInstance(a);
  expect(b.env).toMatchObject({ ...shared, MONGODB_URI: a.dbUri, MONGODB_DB: a.dbName });
  balancer = await startLoadBalancer([a.url, b.url]);
  browser = await launchBrowser();
  mongo = await new MongoClient(a.dbUri).connect();
  db = mongo.db(a.dbName);
}, 300_000);

afterAll(async () => {
  await balancer?.close();
  await browser?.close();
  await mongo?.close();
  await b?.stop();
  await a?.stop();
});

/** Clicks every button in the same task of the test, by script: no click waits for another page's rendering. */
async function clickAtOnce(buttons: Locator[]): Promise<void> {
  for (const button of buttons) await button.waitFor({ state: 'visible' });
  for (const button of buttons) expect(await button.isEnabled()).toBe(true);
  await Promise.all(buttons.map((button) => button.evaluate((el) => (el as HTMLButtonElement).click())));
}

async function adminContext(server: { url: string } = a): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server as ConsoleServer);
  return { context, page };
}

describe('two console instances on one database', () => {
  it('a session signed in on one instance is accepted by the other; one signed with another secret is not', async () => {
    const cookie = await signInCookie(a, ADMIN);
    for (const server of [a, b]) {
      const answer = await fetch(`${server.url}/api/drill`, { headers: { cookie } });
      expect(answer.status, server.url).toBe(200);
    }
    // The check is real: no session, or one signed with another key, is refused by both.
    const forged = await sessionCookie(SEEDED_ADMIN, { secret: randomBytes(32).toString('hex') });
    for (const server of [a, b]) {
      expect((await fetch(`${server.url}/api/drill`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/drill`, { headers: { cookie: forged } })).status).toBe(401);
    }

    // In the browser: signed in through A's form, B's pages are an admin's.
    const { context, page } = await adminContext(a);
    await page.goto(`${b.url}/drill`);
    expect(new URL(page.url()).pathname).toBe('/drill');
    await eventually(() => page.getByRole('button', { name: 'Run the drill' }).count()).toBe(1);
    await eventually(() => page.getByRole('banner').innerText()).toContain(ADMIN.email);
    await context.close();
  });

  it('behind a load balancer, a page served by A calls its server action on B (sign-in), and B’s session works on A', async () => {
    balancer.route((request) => (request.method === 'POST' ? 1 : 0));
    const from = balancer.forwarded.length;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${balancer.url}/sign-in`);
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'), { timeout: 15_000 });
    await eventually(() => page.getByRole('banner').innerText()).toContain(ADMIN.email);

    const seen = balancer.forwarded.slice(from);
    // The page came from A, the action went to B, and the signed-in pages after it came from A again.
    expect(seen.find((f) => f.method === 'GET' && f.path.startsWith('/sign-in'))?.backend).toBe(0);
    const actions = seen.filter((f) => f.action);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((f) => f.backend === 1)).toBe(true);
    expect(seen.filter((f) => f.method === 'GET' && !f.path.startsWith('/sign-in') && !f.path.startsWith('/_next/')).length).toBeGreaterThan(0);
    await screenshot(page, 'instances-signed-in-through-balancer');

    // Round robin from here on (no sticky sessions): every page and poll is answered by either.
    balancer.route(null);
    const before = balancer.forwarded.length;
    await page.goto(`${balancer.url}/workers`);
    await page.reload();
    await eventually(() => page.getByRole('banner').innerText()).toContain(ADMIN.email);
    expect(new Set(balancer.forwarded.slice(before).map((f) => f.backend))).toEqual(new Set([0, 1]));
    await context.close();
  });

  it('refuses a drill of 200 algorithms on either instance, naming the field', async () => {
    const cookie = await signInCookie(b, ADMIN);
    const request = { algorithms: Array.from({ length: 200 }, () => 'lease'), workers: 1, late: 0, lateAfterMs: 0, windowMs: 0 };
    const call = await callAction(b, findAction('startDrillAction'), [request], cookie);
    expect(call.result).toMatchObject({
      ok: false,
      code: 'invalid',
      issues: ['algorithms: at most 3 algorithms, each once (unsafe, copy-drop-restore, lease)'],
    });
    expect(await db.collection(DRILL_RUNS).countDocuments({ _id: { $ne: DRILL_LEASE_ID } } as never)).toBe(0);
  });

  it('a drill started on both instances at the same moment runs once; the other is told which console runs it', async () => {
    const [{ context: contextA, page: pageA }, { context: contextB, page: pageB }] = [await adminContext(a), await adminContext(b)];
    const pages = [pageA, pageB];
    for (const [page, server] of [
      [pageA, a],
      [pageB, b],
    ] as const) {
      await page.goto(`${server.url}/drill`);
      await page.getByRole('checkbox', { name: /^unsafe/ }).uncheck();
      await page.getByRole('checkbox', { name: /^copy-drop-restore/ }).uncheck();
      await page.getByRole('spinbutton', { name: 'Workers' }).fill('2');
      // Late starters 3 s after the others: the drill is surely still running when the second request arrives.
      await page.getByRole('spinbutton', { name: 'Late starters' }).fill('1');
      await page.getByRole('spinbutton', { name: 'Late after (ms)' }).fill('3000');
    }
    await clickAtOnce(pages.map((page) => page.getByRole('button', { name: 'Run the drill' })));

    const refusal = (page: Page) => page.getByRole('alert').filter({ hasText: 'No drill was started' });
    await eventually(async () => (await Promise.all(pages.map((p) => refusal(p).count()))).reduce((x, y) => x + y, 0))
      .toBe(1)
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await shown(pages)}\njobs: ${JSON.stringify(await db.collection(DRILL_RUNS).find().toArray())}`);
      });
    const jobs = await db
      .collection(DRILL_RUNS)
      .find({ _id: { $ne: DRILL_LEASE_ID } } as never)
      .toArray();
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    const refused = (await refusal(pageA).count()) === 1 ? pageA : pageB;
    // The drill runs on the other instance, and the refusal names it.
    const holder = job.holder as { instance: string; pid: number };
    expect(holder.pid === b.pid).toBe(refused === pageA);
    expect(await refusal(refused).innerText()).toContain(`is running on console ${holder.instance}`);
    expect(await refusal(refused).innerText()).toContain(`drill ${String(job._id)}, started by ${ADMIN.email}`);

    // Both pages show that one drill, to its end.
    for (const page of pages) {
      const status = page
        .getByRole('table')
        .getByRole('row', { name: /^Status/ })
        .getByRole('cell')
        .nth(0);
      await eventually(async () => (await status.innerText()).trim(), 120_000).toBe('pass');
      expect(await page.getByRole('table').locator('caption').innerText()).toContain(`started by ${ADMIN.email} on console ${holder.instance}`);
    }
    await screenshot(refused, 'instances-drill-refused');
    expect(await db.collection(DRILL_RUNS).countDocuments({ _id: { $ne: DRILL_LEASE_ID } } as never)).toBe(1);
    expect((await db.collection(DRILL_RUNS).findOne({ _id: DRILL_LEASE_ID } as never))?.holder).toBeNull();
    await contextA.close();
    await contextB.close();
  }, 180_000);

  it('a reseed asked of both instances at the same moment, from the same state, runs once', async () => {
    const since = new Date();
    const [{ context: contextA, page: pageA }, { context: contextB, page: pageB }] = [await adminContext(a), await adminContext(b)];
    const pages = [pageA, pageB];
    for (const [page, server] of [
      [pageA, a],
      [pageB, b],
    ] as const) {
      await page.goto(`${server.url}/`);
      await page.getByRole('button', { name: 'Reseed…' }).click();
      const dialog = page.getByRole('dialog', { name: /Reseed .*: wipe, then seed/ });
      await dialog.getByLabel(`Type the database name, ${a.dbName}, to confirm`).fill(a.dbName);
    }
    const confirm = (page: Page) => page.getByRole('dialog', { name: /Reseed/ }).getByRole('button', { name: 'Wipe and reseed' });
    await clickAtOnce(pages.map(confirm));

    const started = (page: Page) => page.getByRole('status').filter({ hasText: /^Reseed started: run / });
    const answered = (page: Page) =>
      page
        .getByRole('status')
        .filter({ hasText: /^Reseed (started|was already asked for from this state, by): run / })
        .or(page.getByRole('alert').filter({ hasText: /Nothing was done|No run was started|already/ }))
        .first();
    await eventually(async () => (await Promise.all(pages.map((p) => answered(p).count()))).every((n) => n > 0))
      .toBe(true)
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await shown(pages)}`);
      });
    const winners = (await Promise.all(pages.map((p) => started(p).count()))).filter((n) => n > 0);
    expect(winners).toHaveLength(1);
    const loser = (await started(pageA).count()) > 0 ? pageB : pageA;
    const runId = /run (\S+?)\./.exec(await started(loser === pageA ? pageB : pageA).innerText())?.[1];
    // The second answer: already done by that run, or refused naming the holder.
    expect(await answered(loser).innerText()).toMatch(new RegExp(`already (done|asked for from this state).*${runId}|holds the lock`, 's'));
    await screenshot(loser, 'instances-reseed-second-answer');

    // One run, one wipe, once it has completed (a second request after it must not wipe again either).
    const events = () =>
      db
        .collection(INIT_HISTORY)
        .find({ at: { $gte: since }, run_id: { $regex: /^reseed-/ } })
        .toArray();
    await eventually(async () => (await events()).some((e) => e.event === 'completed'), 30_000).toBe(true);
    const history = await events();
    expect(new Set(history.filter((e) => e.event === 'boot').map((e) => e.run_id))).toEqual(new Set([runId]));
    expect(history.filter((e) => e.event === 'wiped')).toHaveLength(1);
    expect(await db.collection('projects').countDocuments()).toBe(3);
    await contextA.close();
    await contextB.close();
  }, 120_000);

  it('a console SIGKILLed mid-wipe of its reseed: the next console process adopts that run and completes it within lease + poll', async () => {
    const c = await startSecondInstance(a, { MONGODB_APP_NAME: 'console-c' });
    let d: ConsoleInstance | undefined;
    const admin = await new MongoClient(a.dbUri).connect();
    try {
      const { context, page } = await adminContext(c);
      await page.goto(`${c.url}/`);
      await page.getByRole('button', { name: 'Reseed…' }).click();
      const dialog = page.getByRole('dialog', { name: /Reseed .*: wipe, then seed/ });
      await dialog.getByLabel(`Type the database name, ${a.dbName}, to confirm`).fill(a.dbName);
      // C's first wipe delete waits on the server; C dies with it sent (the server then runs it, fenced).
      await setFault(admin, { times: 1 }, { failCommands: ['delete'], appName: 'console-c', holdUntilReleased: 'c-mid-wipe' });
      await dialog.getByRole('button', { name: 'Wipe and reseed' }).click();
      await waitParked(admin, 'c-mid-wipe', 30_000);
      const state = await db.collection(INITIALIZATION).findOne({ _id: STATE_ID as never });
      expect(state).toMatchObject({ status: 'in-progress', wipe: true });
      const runId = state!.run_id as string;
      const victim = (await db.collection(INITIALIZATION).findOne({ _id: LOCK_ID as never }))?.holder?.worker_id as string;
      expect(victim).toContain(`:${c.pid}:`);
      await context.close();
      await c.kill('SIGKILL');
      expect(await releaseParked(admin, 'c-mid-wipe')).toBe(1);
      await clearFaults(admin);

      // The next console process (a restart, taking part in initialization at boot) finishes THAT run.
      d = await startSecondInstance(a, { INIT_ON_BOOT: 'true', INIT_POLL_MS: '100' });
      const events = () =>
        db
          .collection(INIT_HISTORY)
          .find({ run_id: runId }, { sort: { at: 1, _id: 1 } })
          .toArray();
      await eventually(async () => (await events()).some((e) => e.event === 'completed'), LEASE_MS + 30_000).toBe(true);
      const history = await events();
      const takeover = history.filter((e) => e.event === 'takeover');
      expect(takeover).toHaveLength(1);
      expect(takeover[0]).toMatchObject({ detail: { from: victim, adopted: true } });
      expect(takeover[0]!.worker_id).toContain(`:${d.pid}`);
      const completed = history.filter((e) => e.event === 'completed');
      expect(completed).toHaveLength(1);
      expect(completed[0]!.worker_id).toBe(takeover[0]!.worker_id);
      // Adopted within a poll of the dead lease's expiry (D was up by then), and nothing lost.
      const expired = takeover[0]!.detail.expired_at as Date | null;
      if (expired) expect(takeover[0]!.at.getTime() - expired.getTime()).toBeLessThan(100 + 2_000);
      expect(await db.collection(INITIALIZATION).findOne({ _id: STATE_ID as never })).toMatchObject({ run_id: runId, status: 'complete' });
      expect(await db.collection('projects').countDocuments()).toBe(3);
      expect(await db.collection('dashboards').countDocuments()).toBe(5);
    } finally {
      await clearFaults(admin).catch(() => {});
      await admin.close();
      await c.kill('SIGKILL');
      await d?.stop();
    }
  }, 180_000);

  // Last: it kills instance B.
  it('a drill whose console is SIGKILLed mid-drill is shown interrupted on the other instance once its lease expires', async () => {
    const { context, page } = await adminContext(b);
    await page.goto(`${b.url}/drill`);
    await page.getByRole('checkbox', { name: /^unsafe/ }).uncheck();
    await page.getByRole('checkbox', { name: /^lease/ }).uncheck();
    await page.getByRole('spinbutton', { name: 'Workers' }).fill('2');
    await page.getByRole('spinbutton', { name: 'Late starters' }).fill('0');
    // The holder sleeps 8 s between its drop and its re-insert: the drill is running when B dies.
    await page.getByRole('spinbutton', { name: 'Drop window (ms, copy-drop-restore)' }).fill('8000');
    await page.getByRole('button', { name: 'Run the drill' }).click();
    const job = async () => db.collection(DRILL_RUNS).findOne({ _id: { $ne: DRILL_LEASE_ID }, 'holder.pid': b.pid } as never, { sort: { started_at: -1 } });
    await eventually(
      async () => Object.values(((await job())?.progress ?? {}) as Record<string, { phase: string }>).some((p) => p.phase === 'running'),
      30_000,
    ).toBe(true);
    const running = (await job())!;
    const instance = (running.holder as { instance: string }).instance;

    await b.kill('SIGKILL');
    const killedAt = Date.now();

    // A's drill page polls the latest drill: running until the lease runs out, then interrupted.
    await page.goto(`${a.url}/drill`);
    const caption = page.getByRole('table').locator('caption');
    await eventually(() => caption.innerText(), LEASE_MS + 10_000).toMatch(/^Drill interrupted/);
    const interruptedAfter = Date.now() - killedAt;
    expect(await caption.innerText()).toContain(`on console ${instance}: its console stopped renewing the drill lease, which expired at`);
    const status = page
      .getByRole('table')
      .getByRole('row', { name: /^Status/ })
      .getByRole('cell')
      .nth(0);
    expect((await status.innerText()).trim()).toBe('interrupted');
    await screenshot(page, 'instances-drill-interrupted');

    const record = (await job())!;
    expect(record).toMatchObject({ _id: running._id, status: 'interrupted', interrupted: { instance } });
    // Not before its lease expired: the dead console had renewed it until it died.
    expect((record.interrupted as { at: Date }).at.getTime()).toBeGreaterThan(killedAt);
    expect(interruptedAfter).toBeLessThan(LEASE_MS + 10_000);

    // And A runs the next drill.
    await page.getByRole('checkbox', { name: /^unsafe/ }).uncheck();
    await page.getByRole('checkbox', { name: /^copy-drop-restore/ }).uncheck();
    await page.getByRole('checkbox', { name: /^lease/ }).check();
    await page.getByRole('spinbutton', { name: 'Workers' }).fill('1');
    await page.getByRole('spinbutton', { name: 'Late starters' }).fill('0');
    await page.getByRole('button', { name: 'Run the drill' }).click();
    await eventually(async () => (await status.innerText()).trim(), 60_000)
      .toBe('pass')
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await shown([page])}`);
      });
    await context.close();
  }, 120_000);
});

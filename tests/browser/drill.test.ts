/**
 * The race drill page in a real browser: admins only; an admin runs the old algorithms and ours on
 * scratch databases and sees their verification tables side by side fill in, without reloading,
 * and each run's timeline on the workers page.
 */
import { MongoClient } from 'mongodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { launchBrowser, screenshot, seriousA11yViolations } from './support/browser';
import { VIEWER, startConsole, type ConsoleServer } from './support/console-server';
import { signedInPage as signInPage, type Credentials } from './support/sign-in';

let server: ConsoleServer;
let browser: Browser;
let mongo: MongoClient;

beforeAll(async () => {
  server = await startConsole();
  // The seeded users get the passwords the console was started with.
  const boot = await runCli('workers', ['-n', '2', '--wipe', '--generation', 'drill-page'], server.env);
  expect(boot.code, boot.stderr).toBe(0);
  browser = await launchBrowser();
  mongo = await new MongoClient(server.dbUri).connect();
}, 240_000);

afterAll(async () => {
  await mongo?.close();
  await browser?.close();
  await server?.stop();
});

const signedInPage = (user?: Credentials): Promise<Page> => signInPage(browser, server, user);

describe('the race drill page', () => {
  it('is for admins: a viewer is told so and gets no drill controls', async () => {
    const page = await signedInPage(VIEWER);
    await page.goto(`${server.url}/drill`);
    await expect.poll(() => page.getByText('Only admins can run the race drill').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Run the drill' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Drill' }).count()).toBe(0);
    await screenshot(page, 'drill-viewer');
    await page.context().close();
  });

  it('runs unsafe and lease side by side: unsafe fails with several wipes, lease passes with one, timelines on the workers page', async () => {
    const page = await signedInPage();
    await page.getByRole('link', { name: 'Drill' }).click();
    await page.waitForURL(/\/drill$/);
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await page.getByRole('checkbox', { name: /copy-drop-restore/ }).uncheck();
    await page.getByRole('spinbutton', { name: 'Workers' }).fill('4');
    await page.getByRole('spinbutton', { name: 'Late starters' }).fill('1');
    await page.getByRole('button', { name: 'Run the drill' }).click();

    const table = page.getByRole('table');
    const cell = (row: string, column: number) =>
      table
        .getByRole('row', { name: new RegExp(`^${row}`) })
        .getByRole('cell')
        .nth(column);
    // Both columns fill in, without a reload.
    await expect.poll(async () => (await cell('Status', 1).innerText()).trim(), { timeout: 150_000, interval: 1_000 }).toMatch(/^(pass|fail)$/);
    await expect.poll(async () => (await cell('Status', 0).innerText()).trim(), { timeout: 10_000 }).toMatch(/^(pass|fail)$/);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);

    const headers = await table.getByRole('columnheader').allInnerTexts();
    expect(headers.map((h) => h.trim())).toEqual(['Figure', 'unsafe', 'lease']); // the first is the row labels' (read by screen readers only)
    expect((await cell('Status', 0).innerText()).trim()).toBe('fail');
    expect((await cell('Status', 1).innerText()).trim()).toBe('pass');
    expect(Number(await cell('Wipes', 0).innerText())).toBeGreaterThan(1);
    expect(Number(await cell('Wipes', 1).innerText())).toBe(1);
    expect((await cell('Workers that acquired the lock', 1).innerText()).trim()).toBe('1');
    expect((await cell('Projects persisted', 1).innerText()).trim()).toBe('3 of 3');
    expect((await cell('Components with invalid DC ids', 1).innerText()).trim()).toBe('0');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'drill-unsafe-vs-lease');

    // The scratch databases are gone; the platform's database was not touched by the drill.
    const names = (await mongo.db().admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name);
    expect(names.filter((n) => n.startsWith('drill_'))).toEqual([]);
    expect(await mongo.db(server.dbName).collection('projects').countDocuments()).toBe(3);

    // Each run's timeline is on the workers page.
    await cell('Report', 1).getByRole('link', { name: 'Timeline of this run' }).click();
    await page.waitForURL(/\/workers\?run=drill-lease-/);
    await expect.poll(() => page.getByRole('group', { name: /Timeline: 5 workers/ }).count(), { timeout: 10_000 }).toBe(1);
    await screenshot(page, 'drill-lease-timeline');
    await page.context().close();
  }, 200_000);
});

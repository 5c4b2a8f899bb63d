/**
 * Security headers on pages and route handlers of the production build (`next start`), and the
 * pages still working in Chromium under the Content-Security-Policy: no violation reported.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { TEST_PASSWORDS } from '../support/seeds';
import { signInCookie } from './support/actions';
import { launchBrowser, screenshot } from './support/browser';
import { ADMIN, startConsole, type ConsoleServer } from './support/console-server';
import { signIn } from './support/sign-in';

let server: ConsoleServer;
let browser: Browser;
let cookie: string;

beforeAll(async () => {
  server = await startConsole();
  const seeded = await runCli('workers', ['-n', '1'], { MONGODB_URI: server.dbUri, MONGODB_DB: server.dbName, ...TEST_PASSWORDS });
  if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stdout}\n${seeded.stderr}`);
  cookie = await signInCookie(server, ADMIN);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The headers every response carries, page or route handler (production: HSTS too). */
function expectCommonHeaders(response: Response, what: string) {
  expect(response.headers.get('x-frame-options'), what).toBe('DENY');
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
  expect(response.headers.get('strict-transport-security'), what).toMatch(/^max-age=\d{7,}/);
  expect(response.headers.get('x-powered-by'), what).toBeNull();
}

/** A page's policy: its scripts only with this response's nonce, no framing; every script tag carries the nonce. */
async function expectPagePolicy(response: Response, what: string): Promise<string> {
  expectCommonHeaders(response, what);
  const csp = response.headers.get('content-security-policy') ?? '';
  const directives = Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
  expect(directives['frame-ancestors'], what).toEqual(["'none'"]);
  expect(directives['object-src'], what).toEqual(["'none'"]);
  expect(directives['base-uri'], what).toEqual(["'none'"]);
  const script = directives['script-src'] as string[];
  const nonce = script.find((v) => v.startsWith("'nonce-"))?.slice(7, -1);
  expect(nonce, `${what}: ${csp}`).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
  expect(script).toContain("'strict-dynamic'");
  expect(script).not.toContain("'unsafe-inline'");
  expect(script).not.toContain("'unsafe-eval'");
  const html = await response.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length, what).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, what).toContain(`nonce="${nonce}"`);
  return nonce!;
}

describe('security headers', () => {
  it('on pages: a Content-Security-Policy with a fresh nonce per response, and the frame, sniffing, referrer and HSTS headers', async () => {
    const first = await expectPagePolicy(await fetch(`${server.url}/sign-in`), '/sign-in');
    const second = await expectPagePolicy(await fetch(`${server.url}/sign-in`), '/sign-in again');
    expect(second).not.toBe(first);
    for (const path of ['/', '/workers', '/projects', '/dashboards', '/drill']) {
      await expectPagePolicy(await fetch(`${server.url}${path}`, { headers: { cookie } }), path);
    }
    // The redirect of a signed-out visitor too.
    const redirect = await fetch(`${server.url}/workers`, { redirect: 'manual' });
    expect(redirect.status).toBe(307);
    expectCommonHeaders(redirect, 'redirect');
  });

  it('on route handlers: a policy that allows nothing, and the same other headers, signed in or not', async () => {
    for (const [path, headers, status] of [
      ['/api/health', {}, 200],
      ['/api/overview', {}, 401],
      ['/api/overview', { cookie }, 200],
      ['/api/history/export?format=csv', { cookie }, 200],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { headers });
      expect(response.status, path).toBe(status);
      expectCommonHeaders(response, path);
      expect(response.headers.get('content-security-policy'), path).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      await response.arrayBuffer();
    }
  });
});

describe('the pages under the policy', () => {
  /** Collects every CSP violation and console error of the page. */
  async function watch(page: Page): Promise<() => Promise<string[]>> {
    const errors: string[] = [];
    page.on('console', (message) => {
      // A failed load is reported below with its address.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      // No favicon is served; anything else failing is a problem.
      if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') errors.push(`${response.status()} ${response.url()}`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __csp: string[] }).__csp = seen;
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`),
      );
    });
    return async () => [...errors, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))];
  }

  it('sign in, every page, the theme toggle, a client-side navigation: no violation, no error', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = await watch(page);
    await signIn(page, server, ADMIN);
    expect(await problems()).toEqual([]);
    for (const [path, heading] of [
      ['/', 'Overview'],
      ['/workers', 'Workers'],
      ['/projects', 'Projects'],
      ['/dashboards', 'Dashboards'],
      ['/drill', 'Race drill'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      // Not "networkidle": the pages poll. A second of hydration and first polls instead.
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForTimeout(1_000);
      expect(await problems(), path).toEqual([]);
    }
    // Hydrated and interactive: the theme toggle (next-themes' inline script runs under the nonce) and a client-side navigation.
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
    expect(await isDark()).toBe(false);
    await page.getByRole('button', { name: 'Theme: system. Switch to light' }).click();
    await page.getByRole('button', { name: 'Theme: light. Switch to dark' }).click();
    await expect.poll(isDark).toBe(true);
    // The choice holds on a new page load: next-themes' inline script ran under the nonce before hydration.
    await page.reload();
    expect(await isDark()).toBe(true);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workers' }).click();
    await page.waitForURL((url) => url.pathname === '/workers');
    await page.getByRole('heading', { level: 1, name: 'Workers' }).waitFor();
    await page.waitForTimeout(1_000);
    await screenshot(page, 'security-headers-workers');
    expect(await problems()).toEqual([]);
    await context.close();
  });
});

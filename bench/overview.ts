import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../tests/browser/support/browser';
import { startConsole } from '../tests/browser/support/console-server';
import { runCli } from '../tests/support/cli';
import { SEEDED_ADMIN, sessionCookie } from '../tests/support/session';

export interface OverviewFigures {
  overview_p50_ms: number;
  overview_p95_ms: number;
  overview_js_gzip_bytes: number;
}

const REQUESTS = 200;
const WARM_UP = 20;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The overview's server response time over 200 requests to the production build (next start)
 * with the embedded database, seeded by a 4-worker boot; and the JavaScript the overview page
 * sends: every script Chromium fetches to show it, gzip-compressed and summed.
 */
export async function benchOverview(log: (line: string) => void): Promise<OverviewFigures> {
  const server = await startConsole();
  try {
    const boot = await runCli('workers', ['-n', '4', '--wipe', '--generation', 'bench-overview'], server.env);
    if (boot.code !== 0) throw new Error(`seeding for the overview bench failed: ${boot.stderr || boot.stdout}`);
    // Signed in as the admin, as a person at the console is (the page does the same work for a viewer).
    const requestHeaders = { cookie: await sessionCookie(SEEDED_ADMIN, { secret: server.env.SESSION_SECRET }) };
    const get = async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/`, { headers: requestHeaders, redirect: 'manual' });
      await response.text();
      if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
      return performance.now() - started;
    };
    for (let i = 0; i < WARM_UP; i += 1) await get();
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      times.push(await get());
    }
    times.sort((a, b) => a - b);
    // What a browser really loads: every script the page fetches (the framework's, the page's
    // chunks named in its RSC payload), not the nomodule polyfills modern browsers skip.
    const browser = await launchBrowser();
    const scripts = new Map<string, number>();
    try {
      const context = await browser.newContext();
      const [name, value] = requestHeaders.cookie.split(/=(.*)/s) as [string, string];
      await context.addCookies([{ name, value, url: server.url }]);
      const page = await context.newPage();
      page.on('response', async (response) => {
        if (response.request().resourceType() !== 'script') return;
        const body = await response.body().catch(() => null);
        if (body) scripts.set(response.url(), gzipSync(body).length);
      });
      // The page polls, so the network is never idle: wait for load and let hydration fetch its chunks.
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.getByRole('heading', { name: 'Lock' }).waitFor();
      await page.waitForTimeout(1_500);
    } finally {
      await browser.close();
    }
    const gzipBytes = [...scripts.values()].reduce((a, b) => a + b, 0);
    const figures = {
      overview_p50_ms: Number(percentile(times, 50).toFixed(1)),
      overview_p95_ms: Number(percentile(times, 95).toFixed(1)),
      overview_js_gzip_bytes: gzipBytes,
    };
    log(
      `overview: ${REQUESTS} requests to the production build: median ${figures.overview_p50_ms} ms, p95 ${figures.overview_p95_ms} ms (target: median under 50 ms)`,
    );
    log(
      `overview: JavaScript a browser loads for it: ${scripts.size} scripts, ${gzipBytes} bytes gzip = ${(gzipBytes / 1000).toFixed(1)} kB (target: under 200 KB)`,
    );
    return figures;
  } finally {
    await server.stop();
  }
}

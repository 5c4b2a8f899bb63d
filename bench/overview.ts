import { gzipSync } from 'node:zlib';
import { runCli } from '../tests/support/cli';
import { startConsole } from '../tests/browser/support/console-server';

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
 * sends, gzip-compressed, summed over its script chunks.
 */
export async function benchOverview(log: (line: string) => void, headers: (url: string) => Promise<Record<string, string>> = async () => ({})): Promise<OverviewFigures> {
  const server = await startConsole();
  try {
    const boot = await runCli('workers', ['-n', '4', '--wipe', '--generation', 'bench-overview'], { MONGODB_URI: server.dbUri, MONGODB_DB: server.dbName });
    if (boot.code !== 0) throw new Error(`seeding for the overview bench failed: ${boot.stderr || boot.stdout}`);
    const requestHeaders = await headers(server.url);
    const get = async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/`, { headers: requestHeaders, redirect: 'manual' });
      const html = await response.text();
      if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
      return { ms: performance.now() - started, html };
    };
    for (let i = 0; i < WARM_UP; i += 1) await get();
    const times: number[] = [];
    let html = '';
    for (let i = 0; i < REQUESTS; i += 1) {
      const r = await get();
      times.push(r.ms);
      html = r.html;
    }
    times.sort((a, b) => a - b);
    const scripts = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!))];
    let gzipBytes = 0;
    for (const src of scripts) {
      const body = Buffer.from(await (await fetch(new URL(src, server.url), { headers: requestHeaders })).arrayBuffer());
      gzipBytes += gzipSync(body).length;
    }
    const figures = {
      overview_p50_ms: Number(percentile(times, 50).toFixed(1)),
      overview_p95_ms: Number(percentile(times, 95).toFixed(1)),
      overview_js_gzip_bytes: gzipBytes,
    };
    log(`overview: ${REQUESTS} requests to the production build: median ${figures.overview_p50_ms} ms, p95 ${figures.overview_p95_ms} ms (target: median under 50 ms)`);
    log(`overview: JavaScript sent: ${scripts.length} scripts, ${(gzipBytes / 1024).toFixed(1)} KB gzip (target: under 200 KB)`);
    return figures;
  } finally {
    await server.stop();
  }
}

/**
 * The dashboards list and the overview with 10,000 dashboards (20,000 tab documents, 200k
 * components) in the database: the server response time of each page over many requests to the
 * production build, the audit behind both cached per database change (lib/audit/cached-audit.ts).
 * The first request pays for the audit; the figures are the requests after it, as the console's
 * polls are.
 */
import { MongoClient } from 'mongodb';
import { startConsole } from '../tests/browser/support/console-server';
import { runCli } from '../tests/support/cli';
import { SEEDED_ADMIN, sessionCookie } from '../tests/support/session';
import { syntheticDashboards, syntheticProjects, syntheticRegistrations } from './audit';

export interface DashboardsFigures {
  dashboards_10k_first_ms: number;
  dashboards_10k_p50_ms: number;
  dashboards_10k_p95_ms: number;
  dashboards_10k_api_p50_ms: number;
  overview_10k_p50_ms: number;
  overview_10k_p95_ms: number;
}

const DASHBOARDS = 10_000;
const REQUESTS = 100;
const WARM_UP = 10;
const BATCH = 2_000;

const round = (ms: number) => Number(ms.toFixed(1));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function benchDashboards(log: (line: string) => void): Promise<DashboardsFigures> {
  // The emulator runs one command at a time: while it streams 20,000 documents to the audit, the
  // console's 1.5 s test timeout would call the database unreachable.
  const server = await startConsole({ MONGODB_TIMEOUT_MS: '30000' });
  const mongo = new MongoClient(server.dbUri);
  try {
    const boot = await runCli('workers', ['-n', '1', '--wipe', '--generation', 'bench-dashboards'], server.env);
    if (boot.code !== 0) throw new Error(`seeding for the dashboards bench failed: ${boot.stderr || boot.stdout}`);
    const db = mongo.db(server.dbName);
    const seedStarted = performance.now();
    await db.collection('projects').insertMany(syntheticProjects());
    await db.collection('deltatables').insertMany(syntheticRegistrations());
    let batch: Record<string, unknown>[] = [];
    for (const doc of syntheticDashboards(DASHBOARDS)) {
      batch.push(doc);
      if (batch.length === BATCH) {
        await db.collection('dashboards').insertMany(batch, { ordered: false });
        batch = [];
      }
    }
    if (batch.length > 0) await db.collection('dashboards').insertMany(batch, { ordered: false });
    log(
      `dashboards: seeded ${DASHBOARDS} synthetic dashboards (${DASHBOARDS * 2} tab documents) with insertMany in ${Math.round(performance.now() - seedStarted)} ms`,
    );

    const headers = { cookie: await sessionCookie(SEEDED_ADMIN, { secret: server.env.SESSION_SECRET }) };
    const timed = async (path: string) => {
      const started = performance.now();
      const response = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
      return performance.now() - started;
    };
    const first = await timed('/dashboards');
    const series = async (path: string) => {
      for (let i = 0; i < WARM_UP; i += 1) await timed(path);
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i += 1) times.push(await timed(path));
      return times.sort((a, b) => a - b);
    };
    const list = await series('/dashboards?sort=errors&dir=desc');
    const api = await series('/api/audit/list?status=warnings&sort=title');
    const overview = await series('/');
    const figures: DashboardsFigures = {
      dashboards_10k_first_ms: round(first),
      dashboards_10k_p50_ms: round(percentile(list, 50)),
      dashboards_10k_p95_ms: round(percentile(list, 95)),
      dashboards_10k_api_p50_ms: round(percentile(api, 50)),
      overview_10k_p50_ms: round(percentile(overview, 50)),
      overview_10k_p95_ms: round(percentile(overview, 95)),
    };
    log(`dashboards: first request with ${DASHBOARDS} dashboards (runs the audit once): ${figures.dashboards_10k_first_ms} ms`);
    log(
      `dashboards: list page, ${REQUESTS} requests: median ${figures.dashboards_10k_p50_ms} ms, p95 ${figures.dashboards_10k_p95_ms} ms (target: median under 50 ms); its poll (/api/audit/list) median ${figures.dashboards_10k_api_p50_ms} ms`,
    );
    log(
      `dashboards: overview page with ${DASHBOARDS} dashboards, ${REQUESTS} requests: median ${figures.overview_10k_p50_ms} ms, p95 ${figures.overview_10k_p95_ms} ms (target: median under 50 ms)`,
    );
    return figures;
  } finally {
    await mongo.close();
    await server.stop();
  }
}

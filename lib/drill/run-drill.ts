import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { Db, MongoClient } from 'mongodb';
import { connect } from '../db/client';
import { config, type Config } from '../env';
import { runEvents } from '../history/run-events';
import { tallyRun } from '../history/run-tally';
import { newRunId, prepareWorker } from '../init/prepare';
import type { HistoryEvent } from '../schemas/history';
import { launchWorkers } from '../workers/launch';
import { analyzeDrill, collectDrillData, type DrillExpectation } from './report';
import { assertScratchDatabase, historyDatabaseName, scratchDatabaseName } from './scratch';
import {
  LEGACY_POLL_MS,
  drillOptionsSchema,
  drillResultSchema,
  type DrillAlgorithm,
  type DrillOptions,
  type DrillProgress,
  type DrillResult,
  type ResolvedDrillOptions,
} from './types';

export interface DrillHooks {
  /** Live updates while the workers run (about every `progressMs`), and at each phase. */
  onProgress?: (progress: DrillProgress) => void;
  progressMs?: number;
  /** The configuration the drill takes its defaults from (the process's by default). */
  config?: Config;
  /** The drill's history, before its scratch databases are dropped (the console keeps a copy). */
  onHistory?: (events: HistoryEvent[]) => Promise<void>;
  /** Aborting stops the drill: its workers are killed and the drill throws the reason. */
  signal?: AbortSignal;
}

/** Variables a worker must not inherit from the drill's own environment: the drill sets its own. */
const WORKER_ENV_OVERRIDDEN = ['INIT_WORKER_NAME', 'INIT_RUN_ID', 'INIT_GENERATION', 'INIT_WIPE'];

interface DrillPlan {
  options: ResolvedDrillOptions;
  cfg: Config;
  lease: boolean;
  pollMs: number;
  leaseMs: number | null;
  expected: DrillExpectation;
  /** The workers' variables, on top of the drill's environment (`undefined` removes one). */
  env: Record<string, string | undefined>;
  /** A fresh scratch database, and for the old algorithms its history's sibling (dropDatabase spares it). */
  database: string;
  historyDatabase: string;
  generation: string;
  runId: string;
}

/**
 * Checks the options, validates the seeds once (bad seeds stop the drill before any process
 * starts), and names the drill's scratch databases, generation and run.
 */
async function planDrill(input: DrillOptions, uri: string, cfg: Config): Promise<DrillPlan> {
  const options = drillOptionsSchema.parse(input);
  const lease = options.algorithm === 'lease';
  const pollMs = options.pollMs ?? (lease ? cfg.INIT_POLL_MS : LEGACY_POLL_MS);
  const leaseMs = lease ? (options.leaseMs ?? cfg.INIT_LEASE_MS) : null;
  const prepared = await prepareWorker(cfg, { wipe: true, generation: 'drill-check', runId: 'drill-check' });
  const expected: DrillExpectation = {
    projects: prepared.seeds.projects.length,
    dashboards: prepared.seeds.projects.reduce((n, p) => n + p.dashboards.length, 0),
    registrations: prepared.seeds.projects.flatMap((p) => [...p.deltatables, ...p.multiqc].map((r) => r.data_collection_id.toHexString())),
  };
  // Every worker must seed the same users: without configured passwords each would make up its own.
  const throwaway = `drill-${randomBytes(6).toString('hex')}`;
  const env: Record<string, string | undefined> = {
    ...Object.fromEntries(WORKER_ENV_OVERRIDDEN.map((name) => [name, undefined])),
    MONGODB_URI: uri,
    INIT_POLL_MS: String(pollMs),
    INIT_WAIT_TIMEOUT_MS: String(options.waitTimeoutMs),
    ...(leaseMs !== null ? { INIT_LEASE_MS: String(leaseMs) } : {}),
    ADMIN_PASSWORD: cfg.ADMIN_PASSWORD ?? throwaway,
    TEST_USER_PASSWORD: cfg.TEST_USER_PASSWORD ?? throwaway,
  };
  const database = scratchDatabaseName(options.algorithm);
  const historyDatabase = lease ? database : historyDatabaseName(database);
  assertScratchDatabase(database, cfg.MONGODB_DB);
  assertScratchDatabase(historyDatabase, cfg.MONGODB_DB);
  const generation = `drill-${randomBytes(4).toString('hex')}`;
  const runId = newRunId(`drill-${options.algorithm}`);
  return { options, cfg, lease, pollMs, leaseMs, expected, env, database, historyDatabase, generation, runId };
}

const readEvents = (client: MongoClient, plan: DrillPlan) => runEvents(client.db(plan.historyDatabase), plan.runId);

/** Counts a finished drill from its history and its database. */
async function countDrill(
  client: MongoClient,
  plan: DrillPlan,
  run: { latePids: Set<number>; killed: string[]; startupMs: number; exitCodes: Record<string, number> },
): Promise<DrillResult> {
  const { options } = plan;
  const events = await readEvents(client, plan);
  const data = await collectDrillData(client.db(plan.database), options.algorithm, plan.generation);
  const result = analyzeDrill(events, data, plan.expected, {
    algorithm: options.algorithm,
    database: plan.database,
    historyDatabase: plan.historyDatabase,
    kept: options.keep,
    runId: plan.runId,
    generation: plan.generation,
    onTime: options.workers,
    late: options.late,
    lateAfterMs: options.lateAfterMs,
    windowMs: options.algorithm === 'copy-drop-restore' ? options.windowMs : null,
    pollMs: plan.pollMs,
    leaseMs: plan.leaseMs,
    ...run,
  });
  return drillResultSchema.parse(result);
}

async function dropDrillDatabases(client: MongoClient, plan: DrillPlan): Promise<void> {
  if (plan.options.keep) return;
  await dropScratch(client.db(plan.database));
  if (plan.historyDatabase !== plan.database) await dropScratch(client.db(plan.historyDatabase));
}

function progressReporter(plan: DrillPlan, hooks: DrillHooks) {
  const started = Date.now();
  return (phase: DrillProgress['phase'], counts: Partial<DrillProgress> = {}) =>
    hooks.onProgress?.({
      algorithm: plan.options.algorithm,
      phase,
      database: plan.database,
      workers: plan.options.workers + plan.options.late,
      events: 0,
      acquired: 0,
      wipes: 0,
      finished: 0,
      ...counts,
      elapsed_ms: Date.now() - started,
    });
}

/**
 * Runs one algorithm of the race drill on a fresh scratch database: N worker processes (real OS
 * processes, started for this drill) released together and K late starters after a delay, all
 * with wipe on and the same generation. Then counts, from the history and the database, what the
 * incident report counted, and drops the scratch database(s) unless asked to keep them.
 */
export async function runDrill(uri: string, input: DrillOptions, hooks: DrillHooks = {}): Promise<DrillResult> {
  const plan = await planDrill(input, uri, hooks.config ?? config());
  const { options, lease } = plan;
  const progress = progressReporter(plan, hooks);
  progress('preparing');
  const args = [
    '--wipe',
    '--generation',
    plan.generation,
    '--run-id',
    plan.runId,
    '--quiet',
    ...(lease ? [] : ['--algorithm', options.algorithm, '--history-db', plan.historyDatabase, '--window-ms', String(options.windowMs)]),
    ...(options.killHolder ? ['--pause-after', 'seeded-project', '--pause-ms', String(options.killPauseMs)] : []),
  ];

  hooks.signal?.throwIfAborted();
  const client = await connect({ uri, timeoutMs: plan.cfg.MONGODB_TIMEOUT_MS, appName: 'depictio-init-drill' });
  const children = new Map<number, { child: ChildProcess; late: boolean }>();
  const killed: string[] = [];
  let watcher: NodeJS.Timeout | undefined;
  const killAll = () => {
    for (const { child } of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  hooks.signal?.addEventListener('abort', killAll);
  try {
    progress('starting');
    if (hooks.onProgress || options.killHolder) {
      let busy = false;
      watcher = setInterval(
        () => {
          if (busy) return;
          busy = true;
          void watch(() => readEvents(client, plan), children, options.killHolder, killed)
            .then((counts) => progress('running', counts))
            .catch(() => {})
            .finally(() => (busy = false));
        },
        hooks.progressMs ?? (options.killHolder ? 25 : 250),
      );
    }
    const launch = await launchWorkers({
      entry: 'drill-worker',
      count: options.workers,
      late: options.late,
      lateAfterMs: options.lateAfterMs,
      args,
      env: { ...plan.env, MONGODB_DB: plan.database },
      onSpawn: (w) => {
        if (w.child.pid !== undefined) children.set(w.child.pid, { child: w.child, late: w.late });
        if (hooks.signal?.aborted) w.child.kill('SIGKILL');
      },
    });
    clearInterval(watcher);
    watcher = undefined;
    hooks.signal?.throwIfAborted();

    progress('counting');
    const exitCodes: Record<string, number> = {};
    for (const w of launch.workers) {
      const key = w.exitCode !== null ? String(w.exitCode) : (w.signal ?? 'unknown');
      exitCodes[key] = (exitCodes[key] ?? 0) + 1;
    }
    const result = await countDrill(client, plan, {
      latePids: new Set([...children].filter(([, c]) => c.late).map(([pid]) => pid)),
      killed,
      startupMs: launch.startup_ms,
      exitCodes,
    });
    progress('done', { events: 0, acquired: result.acquired, wipes: result.wipes, finished: result.workers - result.lost });
    if (hooks.onHistory) await hooks.onHistory(await readEvents(client, plan));
    return result;
  } finally {
    if (watcher) clearInterval(watcher);
    hooks.signal?.removeEventListener('abort', killAll);
    // A worker still running (the drill failed half-way) must not outlive it.
    killAll();
    await dropDrillDatabases(client, plan);
    await client.close();
  }
}

async function dropScratch(db: Db): Promise<void> {
  assertScratchDatabase(db.databaseName);
  await db.dropDatabase().catch(() => {});
}

/** One look at the history: live counts, and the holder to kill when asked. */
async function watch(
  readEvents: () => Promise<HistoryEvent[]>,
  children: Map<number, { child: ChildProcess; late: boolean }>,
  killHolder: boolean,
  killed: string[],
): Promise<Partial<DrillProgress>> {
  const events = await readEvents();
  if (killHolder && killed.length === 0) {
    const seeding = events.find((e) => e.event === 'seeded-project');
    const target = seeding ? children.get(seeding.pid) : undefined;
    if (seeding && target) {
      target.child.kill('SIGKILL');
      killed.push(seeding.worker_id);
    }
  }
  const tally = tallyRun(events);
  return { events: events.length, acquired: tally.acquired, wipes: tally.wipes, finished: tally.workers - tally.lost };
}

/** Runs several algorithms one after the other (never at once: they would slow each other). */
export async function runDrills(
  uri: string,
  algorithms: readonly DrillAlgorithm[],
  options: Omit<DrillOptions, 'algorithm'>,
  hooks: DrillHooks = {},
): Promise<DrillResult[]> {
  const results: DrillResult[] = [];
  for (const algorithm of algorithms) results.push(await runDrill(uri, { ...options, algorithm }, hooks));
  return results;
}

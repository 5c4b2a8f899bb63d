import os from 'node:os';
import type { Db } from 'mongodb';
import { ServerClock } from '../db/server-clock';
import { retryTransient } from '../db/transient';
import { HistoryRecorder } from '../history/recorder';
import { LeaseLostError } from '../lock/lease-lost-error';
import type { WorkerIdentity } from '../lock/identity';
import { acquireLease, type Lease } from '../lock/lease';
import type { HistoryEvent } from '../schemas/history';
import type { InitState } from '../schemas/state';
import type { SeedBundle } from '../seeds/build';
import { decide, type RunRequest } from './decide';
import { RACE_START, raceStep, type Taken } from './race-step';
import { INDEXES_VERSION, ensureIndexes } from './indexes';
import { wipeAndSeed, type SeedMode } from './seed-writer';
import { beginState, completeAndRelease, failState, readLockAndState } from './state';
import { projectWipeTargets, scopeSeeds } from './scope';
import { allWipeTargets, wipeSnapshot } from './wipe';

export interface WorkerOptions {
  identity: WorkerIdentity;
  /** Validated seeds: loading them is the caller's first step, before any lock or write. */
  seeds: SeedBundle;
  wipe: boolean;
  /** `replace` (the default) writes every seeded document; `missing` inserts only those that are absent. */
  seedMode?: SeedMode;
  generation: string;
  runId: string;
  leaseMs: number;
  pollMs: number;
  waitTimeoutMs: number;
  /** A dedicated worker process lowers its CPU priority while it waits (see yieldCpu). */
  yieldCpuWhileWaiting?: boolean;
  /** Called after each history event is stored: logging, and fault injection in tests and drills. */
  onEvent?: (event: HistoryEvent) => void | Promise<void>;
}

export type WorkerOutcome =
  | { outcome: 'acquired'; fence: number; counts: Record<string, number>; wiped: boolean }
  | { outcome: 'waited' | 'skipped'; state: InitState }
  | { outcome: 'failed'; reason: string };

/** The generation a worker without wipe asks for: "these seeds are in place". */
export function seedGeneration(digest: string): string {
  return `seed-${digest.slice(0, 12)}`;
}

/** The worker's own request, from its options. */
export function requestOf(options: WorkerOptions): RunRequest {
  return {
    generation: options.generation,
    run_id: options.runId,
    wipe: options.wipe,
    seed_mode: options.seedMode ?? 'replace',
    projects: null,
    seed_digest: options.seeds.digest,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A waiter only polls: on a host that runs several worker processes (gunicorn-style), it lowers
 * its own CPU priority so the holder's initialization is not slowed by the processes waiting for
 * it. Only for a process that does nothing else (the console's server must stay responsive).
 */
function yieldCpu(): void {
  try {
    os.setPriority(Math.min(19, os.getPriority() + 10));
  } catch {
    // Not permitted here: waiting works the same, only without the courtesy.
  }
}

/** A run's history, for events of that run (its own, or one the worker adopts). */
export function historyFor(db: Db, clock: ServerClock, options: WorkerOptions, run: RunRequest): HistoryRecorder {
  const history = new HistoryRecorder(db, clock, options.identity, { run_id: run.run_id, generation: run.generation }, { pipeline: true });
  if (options.onEvent) history.onEvent(options.onEvent);
  return history;
}

/**
 * One worker's initialization, as each API worker runs it at boot: look at the lock and the state,
 * decide (lib/init/decide.ts), then take the lease and initialize, or wait and look again, until
 * the generation is in place, it failed, or the wait times out. Every wait sleeps and honours the
 * deadline; transient database errors are tried again within it.
 */
export async function runWorker(db: Db, options: WorkerOptions): Promise<WorkerOutcome> {
  const clock = new ServerClock(db);
  const deadline = Date.now() + options.waitTimeoutMs;
  await retryTransient(() => clock.sync(), { deadline });
  const mine = requestOf(options);
  const history = historyFor(db, clock, options, mine);
  try {
    return await race(db, clock, history, options, mine, deadline);
  } finally {
    await history.flush().catch((error: unknown) => console.error(`history: some events were not stored: ${(error as Error).message}`));
  }
}

/**
 * The worker's race for its generation, as a state machine: look (lock and state, one read), decide
 * (lib/init/decide.ts), acquire when told to, and let raceStep say what follows: the end, the
 * initialization of a lease won, or a sleep before the next look. Every path that does not end
 * the race goes through the deadline and the sleep, an adopted run's too.
 */
async function race(db: Db, clock: ServerClock, history: HistoryRecorder, options: WorkerOptions, mine: RunRequest, deadline: number): Promise<WorkerOutcome> {
  // The boot event is dated at the start but sent after the first decision: in a race of many
  // workers, the database sees their attempts first and their log lines after. It rides with the
  // worker's next event (its 'waiting', 'acquired' or its end): one insert less per worker.
  const bootAt = clock.now();
  const boot = { wipe: mine.wipe, generation: mine.generation, seed_digest: mine.seed_digest, version: options.identity.version };
  let state = RACE_START;
  for (let look = 1; ; look += 1) {
    const seen = await retryTransient(() => readLockAndState(db), { deadline });
    const decision = decide({ ...seen, now: clock.now() }, mine, state);
    if (look === 1) history.defer('boot', null, boot, bootAt);
    const runHistory = decision.step === 'acquire' && decision.adopting ? historyFor(db, clock, options, decision.run) : history;
    // A worker that loses reads the lock at its next look: the holder is named then.
    const taken =
      decision.step === 'acquire'
        ? await takeLease(db, clock, runHistory, options, decision.run, { adopting: decision.adopting, nameHolder: false, deadline })
        : null;
    const move = raceStep(state, seen, decision, taken, clock.now());

    if (move.to !== 'initialize' && move.event) await history.record(move.event.event, move.event.fence, move.event.detail, move.event.at);
    if (move.to === 'end') return move.outcome;
    if (move.to === 'initialize') {
      const outcome = await initialize(db, clock, move.lease, options, move.run, runHistory);
      if (!move.adopting) return outcome;
      await runHistory.flush().catch(() => {});
    }
    if (options.yieldCpuWhileWaiting && move.state.waited && !state.waited) yieldCpu();
    state = move.state;
    if (Date.now() >= deadline) {
      const reason = `generation ${mine.generation} not complete after ${options.waitTimeoutMs} ms (holder: ${state.holder ?? 'none'})`;
      await history.record('wait-timeout', seen.lock?.fence ?? null, { reason });
      return { outcome: 'failed', reason };
    }
    // Jitter keeps many waiters from polling in lockstep, and never stretches the interval past pollMs.
    await sleep(Math.min(options.pollMs * (0.6 + Math.random() * 0.4), Math.max(0, deadline - Date.now())));
  }
}

/**
 * The one way to take the lease for a run, for a worker at boot and for the console's reseed: the
 * atomic acquire, and a `takeover` event naming the expired holder (or the unfinished run adopted).
 */
export async function takeLease(
  db: Db,
  clock: ServerClock,
  history: HistoryRecorder,
  options: Pick<WorkerOptions, 'identity' | 'leaseMs' | 'seeds'>,
  run: RunRequest,
  { adopting = false, nameHolder = true, deadline }: { adopting?: boolean; nameHolder?: boolean; deadline?: number } = {},
): Promise<Taken> {
  const attempt = await acquireLease(db, clock, { ...options.identity, run_id: run.run_id, generation: run.generation }, options.leaseMs, {
    nameHolder,
    deadline,
  });
  if (!attempt.acquired) return { lock: attempt.lock };
  if (attempt.takenOverFrom || adopting) {
    await history.record('takeover', attempt.lease.fence, {
      from: attempt.takenOverFrom?.holder.worker_id ?? null,
      from_run: attempt.takenOverFrom?.holder.run_id ?? null,
      expired_at: attempt.takenOverFrom?.expiredAt ?? null,
      ...(adopting ? { adopted: true, seed_digest_recorded: run.seed_digest, seed_digest_used: options.seeds.digest } : {}),
    });
  }
  if (attempt.fenceRaisedFrom !== undefined) {
    await history.record('lock-preserved', attempt.lease.fence, { lock_recreated: true, fence_raised_from: attempt.fenceRaisedFrom });
  }
  return { lease: attempt.lease };
}

/**
 * The holder's part, for a lease already granted: wipe (when asked), seed, complete the state and
 * release. On any failure the holder stops sending, waits for its writes in flight, and only then
 * records the failure and releases: nothing of its run lands after the lock is free.
 */
export async function initialize(
  db: Db,
  clock: ServerClock,
  lease: Lease,
  options: WorkerOptions,
  run: RunRequest,
  history: HistoryRecorder,
): Promise<WorkerOutcome> {
  const { identity } = options;
  const { generation, wipe } = run;
  const fence = lease.fence;
  lease.startHeartbeat((l) => void history.record('lease-renewed', fence, { renewals: l.renewals, lease_expires_at: l.expiresAt }).catch(() => {}));
  const startedAt = clock.now();
  try {
    const acquired = { wipe, lease_expires_at: lease.expiresAt, transactions: lease.facts.transactions, ...(run.projects ? { projects: run.projects } : {}) };
    // With a wipe, the event rides with 'wipe-started', one step later: one insert for both.
    if (wipe) history.defer('acquired', fence, acquired);
    else await history.record('acquired', fence, acquired);
    // A per-project run seeds (and deletes) only its projects; a project the folders no longer
    // ship fails the run below, before anything is deleted.
    let scoped: { seeds: SeedBundle } | { error: unknown };
    try {
      scoped = { seeds: scopeSeeds(options.seeds, run.projects) };
    } catch (error) {
      scoped = { error };
    }
    // What the wipe will delete is looked up while the state begins: reads only, the lease is ours.
    const targets = wipe && 'seeds' in scoped ? (run.projects ? projectWipeTargets(db, scoped.seeds.projects) : allWipeTargets(db)) : Promise.resolve(null);
    targets.catch(() => {});
    const { previous, complete } = await beginState(db, lease, {
      generation,
      run_id: run.run_id,
      worker_id: identity.worker_id,
      wipe,
      seed_mode: run.seed_mode,
      projects: run.projects,
      seed_digest: options.seeds.digest,
      started_at: startedAt,
      indexes_version: INDEXES_VERSION,
    });
    if (complete) {
      // A predecessor finished this generation and died before releasing; a holder paused past its
      // lease finds its successor's work here, and that is a lost lease, not a skip.
      if (!(await lease.release(generation))) throw new LeaseLostError(fence, 'the lock now names another holder or fence');
      await history.record('skipped-complete', fence, { completed_by: previous?.worker_id ?? null, completed_run: previous?.run_id ?? null });
      return { outcome: 'skipped', state: previous! };
    }
    if ('error' in scoped) throw scoped.error;
    const seeds = scoped.seeds;

    const indexes = previous?.status !== 'complete' || previous.indexes_version !== INDEXES_VERSION;
    if (wipe) await history.record('wipe-started', fence, {});
    lease.assertUsable();
    const [snapshot] = await Promise.all([
      wipe ? wipeSnapshot(db, lease, (await targets)!) : null,
      // Before any seed write (the unique keys), and never inside a transaction.
      indexes ? lease.retrying(() => ensureIndexes(db, lease.facts)) : undefined,
    ]);
    const { deleted, counts } = await wipeAndSeed(db, lease, snapshot, seeds, run.run_id, run.seed_mode);
    // What is written rides in one insert, sent with the completion.
    if (deleted) {
      history.defer('wiped', fence, { deleted });
      history.defer('lock-preserved', fence, {});
    }
    for (const entry of seeds.projects) {
      history.defer('seeded-project', fence, {
        project_id: entry.project._id.toHexString(),
        name: entry.project.name,
        folder: entry.folder,
        folder_digest: entry.digest,
        dashboards: entry.dashboards.length,
        data_collections: entry.project.workflows.reduce((n, wf) => n + wf.data_collections.length, 0),
      });
    }
    await history.sendDeferred();
    const completedAt = clock.now();
    if (!(await completeAndRelease(db, lease, generation, completedAt, counts))) throw new LeaseLostError(fence, 'the lock now names another holder or fence');
    history.defer('completed', fence, { counts, elapsed_ms: completedAt.getTime() - startedAt.getTime() }, completedAt);
    await history.record('released', fence, {});
    return { outcome: 'acquired', fence, counts, wiped: wipe };
  } catch (error) {
    lease.halt(error as Error);
    await lease.drain();
    lease.stopHeartbeat();
    if (error instanceof LeaseLostError || lease.signal.aborted) {
      // The successor owns the state now: record the loss and touch nothing else.
      const reason = (lease.signal.reason as Error | undefined)?.message ?? (error as Error).message;
      await history.record('lease-lost', fence, { reason }).catch(() => {});
      return { outcome: 'failed', reason };
    }
    const reason = (error as Error).message;
    await failState(db, lease, clock.now(), reason).catch(() => {});
    await history.record('failed', fence, { reason }).catch(() => {});
    await lease.release().catch(() => {});
    return { outcome: 'failed', reason };
  }
}

import os from 'node:os';
import type { Db } from 'mongodb';
import { ServerClock } from '../db/server-clock';
import { HistoryRecorder } from '../history/recorder';
import { LeaseLostError } from '../lock/errors';
import type { WorkerIdentity } from '../lock/identity';
import { acquireLease, type Lease } from '../lock/lease';
import type { HistoryEvent } from '../schemas/history';
import type { InitState } from '../schemas/state';
import type { SeedBundle } from '../seeds/build';
import { INDEXES_VERSION, ensureIndexes } from './indexes';
import { writeSeeds, type SeedMode } from './seed-writer';
import { beginState, completeState, failState, readLockAndState } from './state';
import { wipeDatabase } from './wipe';

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

/**
 * One worker's initialization, as each API worker runs it at boot:
 * skip if the generation is already complete; otherwise take the lease and initialize, or wait for
 * whoever holds it, polling `init_state` until the generation is complete, the lease expires (take
 * over) or the wait times out.
 */
export async function runWorker(db: Db, options: WorkerOptions): Promise<WorkerOutcome> {
  const clock = new ServerClock(db);
  await clock.sync();
  const history = new HistoryRecorder(db, clock, options.identity, { run_id: options.runId, generation: options.generation }, { pipeline: true });
  if (options.onEvent) history.onEvent(options.onEvent);
  try {
    return await race(db, clock, history, options);
  } finally {
    await history.flush().catch((error: unknown) => console.error(`history: some events were not stored: ${(error as Error).message}`));
  }
}

async function race(db: Db, clock: ServerClock, history: HistoryRecorder, options: WorkerOptions): Promise<WorkerOutcome> {
  const { identity, seeds, wipe, generation, runId, leaseMs, pollMs, waitTimeoutMs } = options;

  const satisfied = (state: InitState): boolean =>
    state.status === 'complete' &&
    (state.generation === generation ||
      (state.completed_generations ?? []).includes(generation) ||
      (!wipe && state.seed_digest === seeds.digest));

  const deadline = Date.now() + waitTimeoutMs;
  let waited = false;
  let announcedHolder: string | null = null;
  // When the last attempt to acquire failed: the 'waiting' event is dated then, though the holder's
  // name comes from the next poll (one read fewer for every loser of the race).
  let lostAt: Date | null = null;
  // The boot event is dated at the start but sent after the first lock attempt: in a race of many
  // workers, the database sees their attempts first and their log lines after.
  const bootAt = clock.now();
  let booted = false;
  const recordBoot = async () => {
    if (booted) return;
    booted = true;
    await history.record('boot', null, { wipe, generation, seed_digest: seeds.digest, version: identity.version }, bootAt);
  };

  for (;;) {
    // One read per poll: many waiters must not crowd out the holder's writes.
    const { lock: seen, state } = await readLockAndState(db);
    if (state && satisfied(state)) {
      await recordBoot();
      const event = waited ? 'ready' : 'skipped-complete';
      await history.record(event, state.fence, { completed_by: state.worker_id, completed_run: state.run_id });
      return { outcome: waited ? 'waited' : 'skipped', state };
    }
    if (waited && state?.status === 'failed' && state.generation === generation) {
      await recordBoot();
      const reason = `generation ${generation} failed in ${state.worker_id}: ${state.error ?? 'unknown error'}`;
      await history.record('failed', state.fence, { reason });
      return { outcome: 'failed', reason };
    }

    const lock = seen;
    const holderId = lock?.holder?.worker_id ?? null;
    if (waited && (lostAt || holderId !== announcedHolder)) {
      await history.record(
        'waiting',
        lock?.fence ?? null,
        { holder: holderId, lease_expires_at: lock?.holder ? (lock.lease_expires_at ?? null) : null },
        lostAt ?? undefined,
      );
      announcedHolder = holderId;
      lostAt = null;
    }

    const completedHere = (lock?.completed_generations ?? []).includes(generation);
    const free = !lock?.holder || !lock.lease_expires_at || lock.lease_expires_at < clock.now();
    if (free && !completedHere) {
      const attempt = await acquireLease(db, clock, { ...identity, run_id: runId, generation }, leaseMs);
      await recordBoot();
      if (attempt.acquired) {
        if (attempt.takenOverFrom) {
          await history.record('takeover', attempt.lease.fence, {
            from: attempt.takenOverFrom.holder.worker_id,
            from_run: attempt.takenOverFrom.holder.run_id,
            expired_at: attempt.takenOverFrom.expiredAt ?? null,
          });
        }
        return initialize(db, clock, attempt.lease, options, history);
      }
      // Lost the race: the next poll names the holder (the event is dated now), so the losers'
      // reads do not crowd the holder's first steps.
      lostAt = clock.now();
      waited = true;
      if (options.yieldCpuWhileWaiting) yieldCpu();
    }
    if (!waited) {
      // Held by a live lease at first sight: wait for it.
      await recordBoot();
      if (options.yieldCpuWhileWaiting) yieldCpu();
      await history.record('waiting', lock?.fence ?? null, {
        holder: holderId,
        lease_expires_at: lock?.holder ? (lock.lease_expires_at ?? null) : null,
      });
      waited = true;
      announcedHolder = holderId;
    }
    if (completedHere) continue; // the state says so on the next read
    if (Date.now() >= deadline) {
      const reason = `generation ${generation} not complete after ${waitTimeoutMs} ms (holder: ${holderId ?? 'none'})`;
      await history.record('wait-timeout', lock?.fence ?? null, { reason });
      return { outcome: 'failed', reason };
    }
    // Jitter keeps many waiters from polling in lockstep, and never stretches the interval past pollMs.
    await sleep(Math.min(pollMs * (0.6 + Math.random() * 0.4), Math.max(0, deadline - Date.now())));
  }
}

/**
 * The holder's part, for a lease already granted: wipe (when asked), seed, complete the state and
 * release. The console's reseed takes the lease itself (so that its answer can name a holder) and
 * goes on here, recording the same history events as a worker.
 */
export async function initialize(
  db: Db,
  clock: ServerClock,
  lease: Lease,
  options: WorkerOptions,
  history: HistoryRecorder,
): Promise<WorkerOutcome> {
  const { seeds, wipe, generation, runId, identity } = options;
  const fence = lease.fence;
  lease.startHeartbeat((l) =>
    void history.record('lease-renewed', fence, { renewals: l.renewals, lease_expires_at: l.expiresAt }).catch(() => {}),
  );
  const startedAt = clock.now();
  try {
    await history.record('acquired', fence, { wipe, lease_expires_at: lease.expiresAt });
    const { previous, complete } = await beginState(db, lease, {
      generation,
      run_id: runId,
      worker_id: identity.worker_id,
      wipe,
      seed_digest: seeds.digest,
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

    if (wipe) {
      await history.record('wipe-started', fence, {});
      const deleted = await wipeDatabase(db, lease);
      await history.record('wiped', fence, { deleted });
      await lease.assertHeld();
      await history.record('lock-preserved', fence, {});
    }
    if (previous?.status !== 'complete' || previous.indexes_version !== INDEXES_VERSION) await ensureIndexes(db);
    const counts = await writeSeeds(db, seeds, lease, runId, options.seedMode ?? 'replace', (entry) =>
      history.record('seeded-project', fence, {
        project_id: entry.project._id.toHexString(),
        name: entry.project.name,
        dashboards: entry.dashboards.length,
        data_collections: entry.project.workflows.reduce((n, wf) => n + wf.data_collections.length, 0),
      }),
    );
    await lease.assertHeld();
    await completeState(db, lease, generation, clock.now(), counts);
    await history.record('completed', fence, { counts, elapsed_ms: clock.now().getTime() - startedAt.getTime() });
    await lease.release(generation);
    await history.record('released', fence, {});
    return { outcome: 'acquired', fence, counts, wiped: wipe };
  } catch (error) {
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

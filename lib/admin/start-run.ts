import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Db } from 'mongodb';
import { refuse, type ActionResult } from '../auth/action-guard';
import { INIT_HISTORY } from '../db/collections';
import { ServerClock } from '../db/server-clock';
import type { Config } from '../env';
import { HistoryRecorder } from '../history/recorder';
import { initialize, requestOf, takeLease, type WorkerOutcome } from '../init/run-worker';
import { prepareWorker } from '../init/prepare';
import { UnknownProjectError, scopeSeeds } from '../init/scope';
import { readLockAndState } from '../init/state';
import { leaseIsLive } from '../lock/liveness';
import type { HistoryEvent } from '../schemas/history';
import type { SeedBundle } from '../seeds/build';
import { SeedValidationError } from '../seeds/errors';
import { announceGeneratedPasswords } from '../seeds/passwords';

export type RunKind = 'reseed' | 'seed-missing' | 'reseed-project';

export interface StartRunRequest {
  kind: RunKind;
  /**
   * The state the admin saw when asking (`seenStateKey`): every request made from the same state,
   * on any console instance, is the same run, so two admins (or two clicks) reseed once.
   */
  seenState: string;
  /** The admin who asked, for the history. */
  requestedBy: string;
  /** For `reseed-project`: the project's id (24 hex), as the seeds ship it. */
  project?: string;
  /** The seeds, when the caller has loaded them already (configuredSeeds). */
  seeds?: SeedBundle;
}

export type StartRunResult = ActionResult<{ run_id: string; generation: string; already_started: boolean }>;

/** The run (and generation) a request from a seen state stands for: the same on every console instance. */
export function runIdFor(kind: RunKind, seenState: string, project?: string): string {
  const key = project === undefined ? `${kind}\0${seenState}` : `${kind}\0${seenState}\0${project}`;
  return `${kind}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/**
 * A request from a seen state is answered with its run only while that run is real: its holder's
 * lease is live, or the state names it (in progress, failed or complete), or the lock lists its
 * generation as completed. A run whose console died after answering and before its state began
 * left only its boot event: it wiped nothing, nobody can adopt it (the state does not name it), so
 * the same request starts it again instead of being told "already started" forever.
 */
async function runIsKnown(db: Db, runId: string, generation: string): Promise<boolean> {
  if (!(await db.collection(INIT_HISTORY).findOne({ run_id: runId, event: 'boot' }, { projection: { _id: 1 } }))) return false;
  const clock = new ServerClock(db);
  const now = await clock.sync();
  const { lock, state } = await readLockAndState(db);
  if (state?.run_id === runId) return true;
  if (lock?.completed_generations?.includes(generation)) return true;
  return lock?.holder?.run_id === runId && leaseIsLive(lock, now);
}

/**
 * Starts a reseed (a new generation with wipe), a per-project reseed (that project's seeded
 * documents deleted and written again, everything else kept) or a seed-missing run (no wipe, only
 * absent documents written) as the holder of the same lease the workers take, and returns at once: the
 * work goes on in the background and the history shows it.
 *
 * The lease is taken here, before answering, so that a held lease is the answer ("who holds it,
 * until when") and no second run starts. A request from a state already acted on answers with
 * that run.
 */
export async function startRun(
  db: Db,
  cfg: Config,
  request: StartRunRequest,
  hooks: { onDone?: (outcome: WorkerOutcome) => void; onEvent?: (event: HistoryEvent) => void } = {},
): Promise<StartRunResult> {
  const wipe = request.kind !== 'seed-missing';
  const projects = request.kind === 'reseed-project' ? [String(request.project ?? '').toLowerCase()] : null;
  const runId = runIdFor(request.kind, request.seenState, projects?.[0]);
  const generation = runId;
  const started = { ok: true as const, run_id: runId, generation, already_started: true };

  if (await runIsKnown(db, runId, generation)) return started;

  let options;
  try {
    // The seeds are validated in full before the lock is taken or anything is wiped.
    options = await prepareWorker(cfg, {
      wipe,
      generation,
      runId,
      workerName: `console-${request.kind}@${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      seeds: request.seeds,
    });
  } catch (error) {
    if (error instanceof SeedValidationError) return refuse('invalid', `Nothing was done: the seeds are not valid. ${error.message}`);
    throw error;
  }
  options.seedMode = wipe ? 'replace' : 'missing';
  if (projects) {
    try {
      scopeSeeds(options.seeds, projects);
    } catch (error) {
      if (error instanceof UnknownProjectError) return refuse('invalid', `Nothing was done: ${error.message}.`);
      throw error;
    }
  }

  const clock = new ServerClock(db);
  const bootAt = await clock.sync();
  const history = new HistoryRecorder(db, clock, options.identity, { run_id: runId, generation }, { pipeline: true });
  if (hooks.onEvent) history.onEvent(hooks.onEvent);
  const run = { ...requestOf(options), projects };
  const taken = await takeLease(db, clock, history, options, run);
  if (!('lease' in taken)) {
    const lock = taken.lock;
    // Asked again from the same state: its run holds the lease, or has completed.
    if (lock?.holder?.generation === generation || lock?.completed_generations?.includes(generation)) return started;
    const holder = lock?.holder?.worker_id ?? null;
    const expires = lock?.holder ? (lock.lease_expires_at?.toISOString() ?? null) : null;
    return refuse(
      'conflict',
      holder
        ? `No run was started: ${holder} holds the lock (run ${lock?.holder?.run_id}) until ${expires ?? 'its lease ends'}.`
        : 'No run was started: the lock was taken at the same moment. Look at the lock and try again.',
      { holder, lease_expires_at: expires },
    );
  }
  try {
    await history.record(
      'boot',
      null,
      {
        wipe,
        generation,
        seed_digest: options.seeds.digest,
        version: options.identity.version,
        requested_by: request.requestedBy,
        mode: options.seedMode,
        from_state: request.seenState,
        ...(projects ? { projects } : {}),
      },
      bootAt,
    );
    // Stored before the answer: the run shows on the next poll, and a repeated request finds it.
    await history.flush();
  } catch (error) {
    await taken.lease.release().catch(() => {});
    throw error;
  }
  const seeds = options.seeds;
  // onDone is told after the history is stored: a CLI that exits on it loses no event.
  void (async () => {
    let outcome: WorkerOutcome;
    try {
      outcome = await initialize(db, clock, taken.lease, options, run, history);
      if (outcome.outcome === 'failed') console.error(`[${request.kind}] ${runId}: ${outcome.reason}`);
      else console.log(`[${request.kind}] ${runId} by ${request.requestedBy}: ${outcome.outcome}`);
      if (outcome.outcome === 'acquired') announceGeneratedPasswords(seeds.generatedPasswords, (line) => console.log(`[${request.kind}] ${line}`));
    } catch (error) {
      console.error(`[${request.kind}] ${runId} failed:`, error);
      outcome = { outcome: 'failed', reason: (error as Error).message };
    }
    await history.flush().catch((error: unknown) => console.error(`[${request.kind}] history: ${(error as Error).message}`));
    hooks.onDone?.(outcome);
  })();
  return { ...started, already_started: false };
}

import { leaseIsLive } from '../lock/liveness';
import type { LockDoc } from '../schemas/lock';
import type { InitState } from '../schemas/state';
import type { SeedMode } from './fenced';

/** What one run was asked to do: recorded in the state, so that another process can finish it. */
export interface RunRequest {
  generation: string;
  run_id: string;
  wipe: boolean;
  seed_mode: SeedMode;
  /** The projects to seed; null: all. */
  projects: string[] | null;
  seed_digest: string;
}

/** What a worker sees on one look: the lock and the state, and the time on the database's clock. */
export interface View {
  lock: LockDoc | null;
  state: InitState | null;
  now: Date;
}

export type Decision =
  /** The worker's generation is in place: nothing to do. */
  | { step: 'done'; state: InitState }
  /** The worker's generation failed in the process that held it. */
  | { step: 'failed'; reason: string }
  /** Take the lease for `run`: the worker's own, or an unfinished one it finds (adopting). */
  | { step: 'acquire'; run: RunRequest; adopting: boolean }
  /** Somebody holds a live lease, or the state has not caught up yet: look again after a sleep. */
  | { step: 'wait'; holder: string | null; leaseExpiresAt: Date | null };

/** What the worker's earlier looks in this boot bear on the next decision. */
export interface Progress {
  /** It has waited at least once: a failure of its generation is then final. */
  waited: boolean;
  /** The unfinished runs it took the lease for: it never adopts one twice (the first try failed). */
  adopted: readonly string[];
}

/** Whether `state` already gives the worker what it asks for. */
export function satisfies(state: InitState | null, mine: RunRequest): boolean {
  return (
    state?.status === 'complete' &&
    (state.generation === mine.generation ||
      (state.completed_generations ?? []).includes(mine.generation) ||
      // Only a run of all projects vouches for the seed digest: after a per-project reseed the
      // other projects may still be from older folders.
      (!mine.wipe && mine.projects === null && (state.projects ?? null) === null && state.seed_digest === mine.seed_digest))
  );
}

/** The request an unfinished run recorded in the state. */
export function recordedRequest(state: InitState): RunRequest {
  return {
    generation: state.generation,
    run_id: state.run_id,
    wipe: state.wipe,
    seed_mode: state.seed_mode ?? 'replace',
    projects: state.projects ?? null,
    seed_digest: state.seed_digest,
  };
}

/** An unfinished run whose holder's lease expired: whoever finds it finishes it. */
export function abandonedRun({ lock, state, now }: View): RunRequest | null {
  return state?.status === 'in-progress' && !leaseIsLive(lock, now) ? recordedRequest(state) : null;
}

/**
 * The worker's one decision per look, in this order:
 * done when its generation is in place; failed when, after waiting, its generation failed; wait
 * while a lease is live; finish an unfinished run of another generation whose holder's lease
 * expired (so no run is left half-done), once: a run it adopted and that failed again is not its
 * to retry; wait when the lock records the generation complete but the state does not say so yet;
 * otherwise take the lease for its own run.
 */
export function decide(view: View, mine: RunRequest, { waited, adopted }: Progress): Decision {
  const { lock, state, now } = view;
  if (state && satisfies(state, mine)) return { step: 'done', state };
  if (waited && state?.status === 'failed' && state.generation === mine.generation) {
    return { step: 'failed', reason: `generation ${mine.generation} failed in ${state.worker_id}: ${state.error ?? 'unknown error'}` };
  }
  if (leaseIsLive(lock, now)) {
    return { step: 'wait', holder: lock?.holder?.worker_id ?? null, leaseExpiresAt: lock?.lease_expires_at ?? null };
  }
  const abandoned = abandonedRun(view);
  if (abandoned && abandoned.generation !== mine.generation && !adopted.includes(abandoned.run_id)) return { step: 'acquire', run: abandoned, adopting: true };
  if ((lock?.completed_generations ?? []).includes(mine.generation)) return { step: 'wait', holder: null, leaseExpiresAt: null };
  return { step: 'acquire', run: mine, adopting: false };
}

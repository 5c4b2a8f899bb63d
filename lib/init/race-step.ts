import type { Lease } from '../lock/lease';
import type { HistoryEventName } from '../schemas/history';
import type { LockDoc } from '../schemas/lock';
import type { Decision, Progress, RunRequest, View } from './decide';
import type { WorkerOutcome } from './run-worker';

/** What a worker's race for its generation carries from one look to the next. */
export interface RaceState extends Progress {
  /** The holder the last look found (or the acquire it lost named): a wait-timeout names it. */
  holder: string | null;
  /** The holder the last 'waiting' event named; undefined before the first one. */
  announced: string | null | undefined;
  /** When the worker lost an acquire: the 'waiting' event that follows is dated then. */
  lostAt: Date | null;
}

export const RACE_START: RaceState = { waited: false, adopted: [], holder: null, announced: undefined, lostAt: null };

/** An event for the worker's own run. */
export interface RaceEvent {
  event: HistoryEventName;
  fence: number | null;
  detail: Record<string, unknown>;
  at?: Date;
}

/** What takeLease answered: the lease, or the lock as the lost acquire saw it (null: not read). */
export type Taken = { lease: Lease } | { lock: LockDoc | null };

/** What the worker does after one look (and the acquire it decided on, if any). */
export type RaceMove =
  /** Record the event, and the race ends with `outcome`. */
  | { to: 'end'; event: RaceEvent; outcome: WorkerOutcome }
  /** The lease for `run` is ours: initialize it. The worker's own run ends the race; after an adopted one, the worker sleeps and looks again. */
  | { to: 'initialize'; lease: Lease; run: RunRequest; adopting: boolean; state: RaceState }
  /** Record the event if there is one, then sleep and look again (unless the deadline passed). */
  | { to: 'sleep'; event: RaceEvent | null; state: RaceState };

/**
 * One transition of the race, pure: from the look (`seen`, `decision`) and the acquire's answer
 * (`taken`, null when the decision was not to acquire) to the next move and state. `now` is the
 * database's clock, read after the acquire.
 */
export function raceStep(state: RaceState, seen: Pick<View, 'lock' | 'state'>, decision: Decision, taken: Taken | null, now: Date): RaceMove {
  switch (decision.step) {
    case 'done':
      return {
        to: 'end',
        event: {
          event: state.waited ? 'ready' : 'skipped-complete',
          fence: decision.state.fence,
          detail: { completed_by: decision.state.worker_id, completed_run: decision.state.run_id },
        },
        outcome: { outcome: state.waited ? 'waited' : 'skipped', state: decision.state },
      };
    case 'failed':
      return {
        to: 'end',
        event: { event: 'failed', fence: seen.state?.fence ?? null, detail: { reason: decision.reason } },
        outcome: { outcome: 'failed', reason: decision.reason },
      };
    case 'acquire': {
      if (!taken) throw new Error('raceStep: an acquire decision needs the answer of the acquire');
      if ('lease' in taken) {
        const { run, adopting } = decision;
        // An adopted run is tried once: if it fails again, the worker's own run comes next. The
        // lock is released by then, so a timeout names no holder.
        const next = adopting ? { ...state, adopted: [...state.adopted, run.run_id], holder: null } : state;
        return { to: 'initialize', lease: taken.lease, run, adopting, state: next };
      }
      // Lost the race: no event yet. The next look's 'waiting' is dated now and names the holder it finds.
      return { to: 'sleep', event: null, state: { ...state, waited: true, lostAt: now, holder: taken.lock?.holder?.worker_id ?? null } };
    }
    case 'wait': {
      const holder = seen.lock?.holder?.worker_id ?? null;
      const next = { ...state, waited: true, holder };
      // One 'waiting' event per holder, and one after each lost acquire.
      if (holder === state.announced && !state.lostAt) return { to: 'sleep', event: null, state: next };
      return {
        to: 'sleep',
        event: {
          event: 'waiting',
          fence: seen.lock?.fence ?? null,
          detail: { holder: decision.holder, lease_expires_at: decision.leaseExpiresAt },
          ...(state.lostAt ? { at: state.lostAt } : {}),
        },
        state: { ...next, announced: holder, lostAt: null },
      };
    }
  }
}

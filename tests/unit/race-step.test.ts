import { describe, expect, it } from 'vitest';
import { decide, type Decision, type RunRequest, type View } from '../../lib/init/decide';
import { RACE_START, raceStep, type RaceState } from '../../lib/init/race-step';
import type { Lease } from '../../lib/lock/lease';
import type { LockDoc } from '../../lib/schemas/lock';
import type { InitState } from '../../lib/schemas/state';

const now = new Date('2026-12-02T10:00:00Z');
const earlier = new Date(now.getTime() - 10_000);
const later = new Date(now.getTime() + 10_000);
const lease = { fence: 8 } as Lease;

const mine: RunRequest = { generation: 'g-boot', run_id: 'boot-g-boot', wipe: false, seed_mode: 'replace', projects: null, seed_digest: 'digest-a' };
const holder = (worker_id: string) => ({ worker_id, host: 'h', pid: 1, version: 'v', run_id: 'r', generation: 'g' });
const lock = (fields: Partial<LockDoc> = {}): LockDoc => ({ _id: 'init_lock', holder: null, fence: 7, ...fields });
const state = (fields: Partial<InitState>): InitState => ({
  _id: 'init_state',
  status: 'complete',
  generation: 'g-other',
  run_id: 'run-other',
  fence: 7,
  worker_id: 'w-other',
  wipe: true,
  seed_digest: 'digest-b',
  started_at: earlier,
  ...fields,
});
const waitFor = (worker: string): Decision => ({ step: 'wait', holder: worker, leaseExpiresAt: later });
const seenHeldBy = (worker: string): Pick<View, 'lock' | 'state'> => ({ lock: lock({ holder: holder(worker), lease_expires_at: later }), state: null });

describe('raceStep: one look, one move', () => {
  it('ends the race when the generation is in place: skipped without a wait, ready after one', () => {
    const done = state({ generation: 'g-boot' });
    expect(raceStep(RACE_START, { lock: null, state: done }, { step: 'done', state: done }, null, now)).toEqual({
      to: 'end',
      event: { event: 'skipped-complete', fence: 7, detail: { completed_by: 'w-other', completed_run: 'run-other' } },
      outcome: { outcome: 'skipped', state: done },
    });
    expect(raceStep({ ...RACE_START, waited: true }, { lock: null, state: done }, { step: 'done', state: done }, null, now)).toMatchObject({
      to: 'end',
      event: { event: 'ready' },
      outcome: { outcome: 'waited' },
    });
  });

  it('ends the race when its generation failed, with the state’s fence', () => {
    const failed = state({ status: 'failed', generation: 'g-boot', fence: 9 });
    expect(raceStep({ ...RACE_START, waited: true }, { lock: null, state: failed }, { step: 'failed', reason: 'boom' }, null, now)).toEqual({
      to: 'end',
      event: { event: 'failed', fence: 9, detail: { reason: 'boom' } },
      outcome: { outcome: 'failed', reason: 'boom' },
    });
  });

  it('initializes its own run when the lease is taken', () => {
    expect(raceStep(RACE_START, { lock: null, state: null }, { step: 'acquire', run: mine, adopting: false }, { lease }, now)).toEqual({
      to: 'initialize',
      lease,
      run: mine,
      adopting: false,
      state: RACE_START,
    });
  });

  it('a lost acquire sleeps without an event; the next wait records one, dated when it lost', () => {
    const lost = raceStep(RACE_START, { lock: null, state: null }, { step: 'acquire', run: mine, adopting: false }, { lock: null }, now);
    expect(lost).toEqual({ to: 'sleep', event: null, state: { ...RACE_START, waited: true, lostAt: now, holder: null } });
    const waiting = raceStep(lost.to === 'sleep' ? lost.state : RACE_START, seenHeldBy('w-1'), waitFor('w-1'), null, later);
    expect(waiting).toEqual({
      to: 'sleep',
      event: { event: 'waiting', fence: 7, detail: { holder: 'w-1', lease_expires_at: later }, at: now },
      state: { ...RACE_START, waited: true, holder: 'w-1', announced: 'w-1', lostAt: null },
    });
  });

  it('one waiting event per holder', () => {
    let s: RaceState = RACE_START;
    const events: unknown[] = [];
    for (const worker of ['w-1', 'w-1', 'w-2', 'w-2', 'w-1']) {
      const move = raceStep(s, seenHeldBy(worker), waitFor(worker), null, now);
      if (move.to !== 'sleep') throw new Error(`expected a sleep, got ${move.to}`);
      if (move.event) events.push(move.event.detail.holder);
      s = move.state;
    }
    expect(events).toEqual(['w-1', 'w-2', 'w-1']);
    expect(s).toMatchObject({ waited: true, holder: 'w-1', announced: 'w-1' });
  });

  it('adopts an unfinished run once: after its initialization (whatever came of it) the same look makes the worker run its own request', () => {
    const unfinished = state({ status: 'in-progress', generation: 'reseed-1', run_id: 'reseed-1' });
    const view: View = { lock: lock({ holder: holder('w-dead'), lease_expires_at: earlier }), state: unfinished, now };
    const adopt = decide(view, mine, RACE_START);
    expect(adopt).toMatchObject({ step: 'acquire', adopting: true });
    const move = raceStep(RACE_START, view, adopt, { lease }, now);
    expect(move).toMatchObject({ to: 'initialize', adopting: true, run: { run_id: 'reseed-1' }, state: { adopted: ['reseed-1'], holder: null } });
    // The adoption failed and left the state in progress, the lock free: the worker's own run next.
    const after = move.to === 'initialize' ? move.state : RACE_START;
    expect(decide({ ...view, lock: lock() }, mine, after)).toEqual({ step: 'acquire', run: mine, adopting: false });
  });
});

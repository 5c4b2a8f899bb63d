import { describe, expect, it } from 'vitest';
import { decide, type Progress, type RunRequest } from '../../lib/init/decide';
import type { LockDoc } from '../../lib/schemas/lock';
import type { InitState } from '../../lib/schemas/state';

const now = new Date('2026-12-02T10:00:00Z');
const later = new Date(now.getTime() + 10_000);
const earlier = new Date(now.getTime() - 10_000);

const mine: RunRequest = { generation: 'g-boot', run_id: 'boot-g-boot', wipe: false, seed_mode: 'replace', projects: null, seed_digest: 'digest-a' };

function state(fields: Partial<InitState>): InitState {
  return {
    _id: 'init_state',
    status: 'complete',
    generation: 'g-other',
    run_id: 'run-other',
    fence: 4,
    worker_id: 'w-other',
    wipe: true,
    seed_digest: 'digest-b',
    started_at: earlier,
    ...fields,
  };
}

function lock(fields: Partial<LockDoc>): LockDoc {
  return { _id: 'init_lock', holder: null, fence: 4, ...fields };
}

const FRESH: Progress = { waited: false, adopted: [] };
const WAITED: Progress = { waited: true, adopted: [] };

const holder = { worker_id: 'w-dead', host: 'h', pid: 1, version: 'v', run_id: 'reseed-1', generation: 'reseed-1' };

describe('decide: one look, one decision', () => {
  it('is done when the generation, a remembered generation, or (without wipe) the same seeds are in place', () => {
    expect(decide({ lock: null, state: state({ generation: 'g-boot' }), now }, mine, FRESH)).toMatchObject({ step: 'done' });
    expect(decide({ lock: null, state: state({ completed_generations: ['g-boot'] }), now }, mine, FRESH)).toMatchObject({ step: 'done' });
    expect(decide({ lock: null, state: state({ seed_digest: 'digest-a' }), now }, mine, FRESH)).toMatchObject({ step: 'done' });
    expect(decide({ lock: null, state: state({ seed_digest: 'digest-a' }), now }, { ...mine, wipe: true }, FRESH)).toMatchObject({
      step: 'acquire',
      adopting: false,
    });
  });

  it('a state left by a per-project run does not vouch for the seed digest: a boot without wipe seeds again', () => {
    const perProject = state({ seed_digest: 'digest-a', projects: ['646b0f3c1e4a2d7f8e5b8c9a'] });
    expect(decide({ lock: null, state: perProject, now }, mine, FRESH)).toMatchObject({ step: 'acquire', adopting: false });
    // Its own generation (or a remembered one) is still in place, whatever the run's scope.
    expect(decide({ lock: null, state: { ...perProject, generation: 'g-boot' }, now }, mine, FRESH)).toMatchObject({ step: 'done' });
  });

  it('waits while a lease is live, whoever holds it', () => {
    expect(decide({ lock: lock({ holder, lease_expires_at: later }), state: null, now }, mine, FRESH)).toEqual({
      step: 'wait',
      holder: 'w-dead',
      leaseExpiresAt: later,
    });
  });

  it('adopts an unfinished run of another generation once its holder is gone, with the request the run recorded', () => {
    const unfinished = state({ status: 'in-progress', generation: 'reseed-1', run_id: 'reseed-1', wipe: true, seed_mode: 'replace', seed_digest: 'digest-a' });
    const dead = lock({ holder, lease_expires_at: earlier, completed_generations: ['g-boot'] });
    expect(decide({ lock: dead, state: unfinished, now }, mine, WAITED)).toEqual({
      step: 'acquire',
      adopting: true,
      run: { generation: 'reseed-1', run_id: 'reseed-1', wipe: true, seed_mode: 'replace', projects: null, seed_digest: 'digest-a' },
    });
    // The same state while the dead holder's lease still runs: wait (and the loop sleeps).
    expect(decide({ lock: { ...dead, lease_expires_at: later }, state: unfinished, now }, mine, WAITED)).toMatchObject({ step: 'wait' });
  });

  it('adopts a run once: after its adoption failed and left it in progress, the worker runs its own request (or waits for it)', () => {
    const unfinished = state({ status: 'in-progress', generation: 'reseed-1', run_id: 'reseed-1' });
    const adoptedOnce: Progress = { waited: false, adopted: ['reseed-1'] };
    expect(decide({ lock: lock({}), state: unfinished, now }, mine, adoptedOnce)).toEqual({ step: 'acquire', run: mine, adopting: false });
    // The order after that holds: a lock that records its generation complete still means wait.
    expect(decide({ lock: lock({ completed_generations: ['g-boot'] }), state: unfinished, now }, mine, adoptedOnce)).toMatchObject({ step: 'wait' });
    // Another unfinished run is still adopted.
    expect(decide({ lock: lock({}), state: { ...unfinished, run_id: 'reseed-2' }, now }, mine, adoptedOnce)).toMatchObject({ step: 'acquire', adopting: true });
  });

  it('waits, never acquires, when the lock records its generation complete but the state does not say so yet', () => {
    const decision = decide({ lock: lock({ completed_generations: ['g-boot'] }), state: state({ status: 'failed' }), now }, mine, WAITED);
    expect(decision).toEqual({ step: 'wait', holder: null, leaseExpiresAt: null });
  });

  it('fails after waiting when its own generation failed, and acquires a free lock otherwise', () => {
    expect(decide({ lock: lock({}), state: state({ status: 'failed', generation: 'g-boot', error: 'boom' }), now }, mine, WAITED)).toEqual({
      step: 'failed',
      reason: 'generation g-boot failed in w-other: boom',
    });
    expect(decide({ lock: lock({}), state: state({ status: 'failed', generation: 'g-boot' }), now }, mine, FRESH)).toMatchObject({
      step: 'acquire',
      adopting: false,
    });
    expect(decide({ lock: null, state: null, now }, mine, FRESH)).toEqual({ step: 'acquire', run: mine, adopting: false });
  });
});

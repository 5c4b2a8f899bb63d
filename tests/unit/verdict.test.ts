import { describe, expect, it } from 'vitest';
import { runTallySchema, tallyRun } from '../../lib/history/run-tally';
import { judge, judgeRun } from '../../lib/history/findings';
import { runVerdictSchema } from '../../lib/history/verdict';
import type { HistoryEvent, HistoryEventName } from '../../lib/schemas/history';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

/** A run's history, built by hand: `step(worker, event, ms after T0, fence, detail)`. */
function run() {
  const events: HistoryEvent[] = [];
  const step = (worker: string, event: HistoryEventName, ms: number, fence: number | null = null, detail: Record<string, unknown> = {}) => {
    events.push({
      at: new Date(T0 + ms),
      run_id: 'run-1',
      generation: 'g1',
      worker_id: worker,
      host: 'host-a',
      pid: 1000 + Number(worker.replace(/\D/g, '') || 0),
      fence,
      event,
      detail,
    });
  };
  // Events arrive sorted by time, as runVerdict reads them.
  const sorted = () => [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  return { step, sorted };
}

/** A holder that initializes the database from start to finish. */
function holds(step: ReturnType<typeof run>['step'], worker: string, from: number, fence: number, wipe = true) {
  step(worker, 'acquired', from, fence);
  if (wipe) {
    step(worker, 'wipe-started', from + 1, fence);
    step(worker, 'wiped', from + 20, fence, { deleted: { projects: 3 } });
  }
  for (let p = 0; p < 3; p += 1) step(worker, 'seeded-project', from + 30 + p * 10, fence);
  step(worker, 'completed', from + 70, fence);
  step(worker, 'released', from + 71, fence);
}

function verdictOf(events: HistoryEvent[], data: { projects?: number; dashboards?: number; invalid?: number } = {}, expectedProjects?: number) {
  // The tally and the verdict keep to the shapes the console and the drill parse with.
  const tally = runTallySchema.parse(tallyRun(events));
  const figures = { projects: data.projects ?? 3, dashboards: data.dashboards ?? 5, invalid_components: data.invalid ?? 0, warning_components: 0 };
  const verdict = runVerdictSchema.parse({ run_id: 'run-1', ...tally, ...figures, ...judge(tally, figures, expectedProjects) });
  return { tally, pass: verdict.pass, findings: verdict.findings };
}

describe('tallyRun and judge', () => {
  it('a normal run: one holder, one wipe, the others wait; it passes and names the holder', () => {
    const { step, sorted } = run();
    for (const w of ['w1', 'w2', 'w3', 'w4']) step(w, 'boot', w === 'w1' ? 0 : 2);
    holds(step, 'w2', 5, 8);
    for (const w of ['w1', 'w3', 'w4']) step(w, 'waiting', 6, 8, { holder: 'w2' });
    step('w1', 'ready', 90, 8);
    step('w3', 'ready', 95, 8);
    step('w4', 'ready', 100, 8);
    const { tally, pass, findings } = verdictOf(sorted(), {}, 3);
    expect(tally).toMatchObject({
      workers: 4,
      acquired: 1,
      waited: 3,
      skipped: 0,
      failed: 0,
      lost: 0,
      wipes: 1,
      takeovers: 0,
      completions: 1,
      holders: ['w2'],
      generations: ['g1'],
    });
    expect(tally.started_at).toEqual(new Date(T0));
    expect(tally.finished_at).toEqual(new Date(T0 + 100));
    expect(tally.elapsed_ms).toBe(100);
    expect(pass).toBe(true);
    expect(findings).toEqual(['Only worker w2 acquired the lock', '1 wipe', '3 projects persisted', '5 dashboard documents', '0 invalid components']);
  });

  it('two acquisitions without a takeover fail: the incident', () => {
    const { step, sorted } = run();
    step('w1', 'boot', 0);
    step('w2', 'boot', 1);
    holds(step, 'w1', 2, 1);
    holds(step, 'w2', 3, 1);
    const { tally, pass, findings } = verdictOf(sorted(), { projects: 9 }, 3);
    expect(tally).toMatchObject({ acquired: 2, takeovers: 0, wipes: 2, completions: 2, holders: ['w1', 'w2'] });
    expect(pass).toBe(false);
    expect(findings).toContain('2 workers acquired the lock: w1, w2');
    expect(findings).toContain('1 grant of the lock without an expired lease');
    expect(findings).toContain('2 wipes in one run');
    expect(findings).toContain('9 projects persisted');
    expect(findings).toContain('expected 3 projects');
  });

  it('a takeover after the holder died passes, and says so', () => {
    const { step, sorted } = run();
    for (const w of ['w1', 'w2', 'w3']) step(w, 'boot', 0);
    // w1 acquires, wipes, seeds one project and is killed: no final event.
    step('w1', 'acquired', 1, 4);
    step('w1', 'wipe-started', 2, 4);
    step('w1', 'wiped', 10, 4);
    step('w1', 'seeded-project', 20, 4);
    step('w2', 'waiting', 2, 4, { holder: 'w1' });
    step('w3', 'waiting', 2, 4, { holder: 'w1' });
    step('w2', 'takeover', 1600, 5, { from: 'w1' });
    holds(step, 'w2', 1601, 5);
    step('w3', 'ready', 1700, 5);
    const { tally, pass, findings } = verdictOf(sorted(), {}, 3);
    expect(tally).toMatchObject({ workers: 3, acquired: 2, takeovers: 1, lost: 1, failed: 0, waited: 1, wipes: 2, completions: 1, holders: ['w1', 'w2'] });
    expect(pass).toBe(true);
    expect(findings).toEqual([
      '2 workers acquired the lock: w1, w2',
      '1 takeover after lease expiry',
      '2 wipes',
      '3 projects persisted',
      '5 dashboard documents',
      '0 invalid components',
      '1 holder died and was taken over',
    ]);
  });

  it('a worker with no final event counts as lost, and without a takeover the run fails', () => {
    const { step, sorted } = run();
    step('w1', 'boot', 0);
    step('w2', 'boot', 0);
    holds(step, 'w1', 1, 1);
    step('w2', 'waiting', 2, 1, { holder: 'w1' });
    // w2 never reports again (killed while waiting).
    const { tally, pass, findings } = verdictOf(sorted());
    expect(tally).toMatchObject({ workers: 2, lost: 1, takeovers: 0, waited: 0, failed: 0 });
    expect(pass).toBe(false);
    expect(findings).toContain('1 worker never finished');
    expect(findings.some((f) => f.includes('taken over'))).toBe(false);
  });

  it('failed, wait-timeout and lease-lost count as failed workers', () => {
    const { step, sorted } = run();
    for (const w of ['w1', 'w2', 'w3', 'w4']) step(w, 'boot', 0);
    step('w1', 'acquired', 1, 3);
    step('w1', 'lease-lost', 50, 3, { reason: 'paused' });
    step('w2', 'takeover', 60, 4, { from: 'w1' });
    holds(step, 'w2', 61, 4);
    step('w3', 'waiting', 2, 3);
    step('w3', 'wait-timeout', 500, 3, { reason: 'timeout' });
    step('w4', 'waiting', 2, 3);
    step('w4', 'ready', 40, 3);
    step('w4', 'failed', 45, 3, { reason: 'late failure' });
    const { tally, pass, findings } = verdictOf(sorted());
    expect(tally).toMatchObject({ failed: 3, acquired: 2, takeovers: 1, lost: 0, waited: 0 });
    expect(pass).toBe(false);
    expect(findings).toContain('3 workers failed');
    // A failed worker's last event is not when the run was ready.
    expect(tally.finished_at).toEqual(new Date(T0 + 61 + 70));
  });

  it('a generation already complete: nobody acquires, everyone skips, it passes', () => {
    const { step, sorted } = run();
    for (const w of ['w1', 'w2']) {
      step(w, 'boot', 0);
      step(w, 'skipped-complete', 5, 7);
    }
    const { tally, pass, findings } = verdictOf(sorted());
    expect(tally).toMatchObject({ acquired: 0, skipped: 2, waited: 0, wipes: 0, holders: [] });
    expect(pass).toBe(true);
    expect(findings[0]).toBe('No worker acquired the lock (the generation was already complete)');
    expect(findings).toContain('0 wipes');
  });

  it('words: singular and plural, and invalid components fail the run', () => {
    const { step, sorted } = run();
    step('w1', 'boot', 0);
    holds(step, 'w1', 1, 1, false);
    const one = verdictOf(sorted(), { projects: 1, dashboards: 1, invalid: 1 });
    expect(one.pass).toBe(false);
    expect(one.findings).toEqual([
      'Only worker w1 acquired the lock',
      '0 wipes',
      '1 project persisted',
      '1 dashboard document',
      '1 invalid component',
      'dashboard components point at the wrong data collections',
    ]);
    const none = verdictOf([]);
    expect(none.tally).toMatchObject({ workers: 0, acquired: 0, started_at: null, finished_at: null, elapsed_ms: null });
  });
});

describe('judgeRun: a past run from its history alone', () => {
  it('says nothing about the data, and fails on the history', () => {
    const { step, sorted } = run();
    step('w1', 'boot', 0);
    step('w2', 'boot', 0);
    holds(step, 'w1', 1, 1);
    step('w2', 'waiting', 2, 1, { holder: 'w1' });
    step('w2', 'ready', 80, 1);
    expect(judgeRun(tallyRun(sorted()))).toEqual({ pass: true, findings: ['Only worker w1 acquired the lock', '1 wipe'] });
  });

  it('a run where nobody acquired and nobody found the generation complete does not claim it was complete', () => {
    const { step, sorted } = run();
    step('w1', 'boot', 0);
    step('w1', 'waiting', 1, 3, { holder: 'elsewhere' });
    step('w1', 'wait-timeout', 500, 3);
    expect(judgeRun(tallyRun(sorted()))).toEqual({ pass: false, findings: ['No worker acquired the lock', '0 wipes', '1 worker failed'] });
  });
});

describe('an admin in a run', () => {
  it('counts an admin action and a force-release in no worker tally', () => {
    const { step, sorted } = run();
    step('admin:admin@example.com', 'admin-action', 0, null, { action: 'reseed', outcome: 'ok' });
    step('console-reseed@host:1', 'boot', 1);
    holds(step, 'console-reseed@host:1', 2, 4);
    step('admin:admin@example.com', 'force-released', 200, 4, { holder: 'someone' });
    const tally = tallyRun(sorted());
    expect(tally).toMatchObject({ workers: 1, acquired: 1, lost: 0, failed: 0, wipes: 1, completions: 1, holders: ['console-reseed@host:1'] });
  });
});

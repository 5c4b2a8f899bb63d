import { describe, expect, it } from 'vitest';
import { drillRequestSchema } from '../../lib/drill/request';
import { analyzeDrill, findBreaches, type DrillContext, type DrillData } from '../../lib/drill/report';
import { drillResultSchema } from '../../lib/drill/types';
import { assertScratchDatabase, historyDatabaseName, scratchDatabaseName } from '../../lib/drill/scratch';
import type { HistoryEvent, HistoryEventName } from '../../lib/schemas/history';
import { zodIssueLines } from '../../lib/zod-issues';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

/** A drill's history by hand: `step(worker, pid, event, ms after T0, detail)`. */
function history() {
  const events: HistoryEvent[] = [];
  const step = (worker: string, pid: number, event: HistoryEventName, ms: number, detail: Record<string, unknown> = {}) =>
    events.push({ at: new Date(T0 + ms), run_id: 'r', generation: 'g', worker_id: worker, host: 'h', pid, fence: null, event, detail });
  return { events, step, sorted: () => [...events].sort((a, b) => a.at.getTime() - b.at.getTime()) };
}

const wholeData: DrillData = {
  projectNames: ['Iris', 'Penguins', 'Ampliseq'],
  dashboards: 5,
  registrations: ['a', 'b'],
  invalidComponents: 0,
  warningComponents: 0,
  completionMarker: true,
};
const expected = { projects: 3, dashboards: 5, registrations: ['a', 'b'] };
const context = (over: Partial<DrillContext> = {}): DrillContext => ({
  algorithm: 'copy-drop-restore',
  database: 'drill_x',
  historyDatabase: 'drill_x_history',
  kept: false,
  runId: 'r',
  generation: 'g',
  onTime: 1,
  late: 1,
  lateAfterMs: 100,
  windowMs: 200,
  pollMs: 1000,
  leaseMs: null,
  latePids: new Set([2]),
  killed: [],
  startupMs: 0,
  exitCodes: {},
  ...over,
});

describe('scratch databases', () => {
  it('are named drill_<algorithm>_<random>, with the history of the old algorithms beside them', () => {
    const name = scratchDatabaseName('copy-drop-restore');
    expect(name).toMatch(/^drill_copy_drop_restore_[0-9a-f]{8}$/);
    expect(historyDatabaseName(name)).toBe(`${name}_history`);
    expect(() => assertScratchDatabase(historyDatabaseName(name))).not.toThrow();
  });

  it('refuse any other name, and the platform database even when it looks like a drill', () => {
    for (const name of ['depictioDB', 'drill', 'drill_', 'Drill_x', 'xdrill_y', 'drill_a.b', `drill_${'x'.repeat(60)}`]) {
      expect(() => assertScratchDatabase(name), name).toThrow(/refusing to run a drill/);
    }
    expect(() => assertScratchDatabase('drill_mine', 'drill_mine')).toThrow(/platform's database/);
  });
});

describe('the drill report', () => {
  it('names a late starter that took the lock inside the drop-to-restore window, and the cleanup that deleted a lock', () => {
    const { step, sorted } = history();
    step('holder', 1, 'boot', 0);
    step('holder', 1, 'acquired', 2);
    step('holder', 1, 'wipe-started', 3);
    step('holder', 1, 'wiped', 10);
    step('late', 2, 'boot', 100);
    step('late', 2, 'acquired', 102);
    step('late', 2, 'wipe-started', 103);
    step('late', 2, 'wiped', 110);
    step('holder', 1, 'lock-preserved', 211, { restored: true });
    step('late', 2, 'failed', 311, { reason: 'duplicate key', restore_conflict: true, deleted_lock_of: 'holder' });
    step('holder', 1, 'seeded-project', 320);
    step('holder', 1, 'completed', 400);

    const breaches = findBreaches(sorted(), new Set([2]));
    expect(breaches).toEqual([{ holder: 'holder', taken_by: 'late', late: true, in_window: true, ms_into_window: 92, wiped_again: true }]);
    const r = analyzeDrill(sorted(), wholeData, expected, context());
    expect(r.wipes).toBe(2);
    expect(r.run_problems).toEqual(
      expect.arrayContaining([
        "late starter late took the lock 92 ms into holder's drop-to-restore window and wiped again",
        '2 wipes in one run',
        'late deleted the lock of holder in its cleanup after a failed restore',
      ]),
    );
    expect(r.pass).toBe(false);
  });

  it('does not count the takeover of a dead holder as a breach, and passes a clean lease run', () => {
    const { step, sorted } = history();
    step('victim', 1, 'boot', 0);
    step('victim', 1, 'acquired', 1, { lease_expires_at: new Date(T0 + 1001) });
    step('victim', 1, 'wipe-started', 2);
    step('victim', 1, 'wiped', 5);
    step('victim', 1, 'seeded-project', 10);
    step('heir', 2, 'boot', 0);
    step('heir', 2, 'waiting', 1);
    step('heir', 2, 'acquired', 1100);
    step('heir', 2, 'takeover', 1101, { from: 'victim' });
    step('heir', 2, 'wipe-started', 1102);
    step('heir', 2, 'wiped', 1105);
    step('heir', 2, 'completed', 1200);
    const r = analyzeDrill(sorted(), wholeData, expected, context({ algorithm: 'lease', windowMs: null, killed: ['victim'] }));
    expect(r.breaches).toEqual([]);
    expect(r).toMatchObject({ acquired: 2, wipes: 2, takeovers: 1, lost: 1, pass: true, data_problems: [], run_problems: [] });
    expect(r.findings).toContain('1 holder died and was taken over');
  });

  it("words the run's verdict as the console does, with the reasons workers failed", () => {
    const { step, sorted } = history();
    step('a', 1, 'acquired', 0);
    step('a', 1, 'wiped', 1);
    step('b', 2, 'acquired', 2);
    step('b', 2, 'wiped', 3);
    step('a', 1, 'completed', 10);
    step('b', 2, 'failed', 11, { reason: 'duplicate key' });
    const r = analyzeDrill(sorted(), wholeData, expected, context({ algorithm: 'unsafe', windowMs: null, late: 0, latePids: new Set() }));
    expect(r).toMatchObject({ acquired: 2, wipes: 2, failed: 1, holders: ['a', 'b'], pass: false, data_problems: [] });
    expect(r.run_problems).toEqual([
      '1 grant of the lock without an expired lease',
      '2 wipes in one run',
      '1 worker failed: duplicate key',
      '1 grant of the lock while an earlier holder was still initializing',
    ]);
    expect(r.findings.slice(0, 2)).toEqual(['2 workers acquired the lock: a, b', '2 wipes']);
    expect(r.findings.slice(-4)).toEqual(r.run_problems);
    // The report is exactly the shape the console and the command line parse (no field more or less).
    expect(drillResultSchema.strict().parse(r)).toEqual(r);
  });

  it('names what is wrong in the data: missing and duplicated projects, duplicate registrations, no completion marker', () => {
    const { step, sorted } = history();
    step('w', 1, 'acquired', 0);
    step('w', 1, 'wiped', 1);
    step('w', 1, 'completed', 2);
    const data: DrillData = {
      ...wholeData,
      projectNames: ['Iris', 'Iris'],
      registrations: ['a', 'a', 'a'],
      invalidComponents: 4,
      completionMarker: false,
    };
    const r = analyzeDrill(sorted(), data, expected, context({ algorithm: 'unsafe', windowMs: null }));
    expect(r.data_problems).toEqual([
      // The console's words for the data (lib/history), then what only a drill checks.
      'expected 3 projects',
      'dashboard components point at the wrong data collections',
      'project "Iris" persisted 2 times',
      '2 duplicate registrations (deltatables/multiqc documents for a data collection already registered)',
      '1 data collection without a registration',
      'no completion marker left in `initialization` (the lock went with a dropped database): the next worker to start wipes and seeds again',
    ]);
    expect(r.duplicate_projects).toEqual(['Iris']);
    expect(r.findings).toEqual(expect.arrayContaining(['2 projects persisted', '5 dashboard documents', '4 invalid components']));
  });
});

describe('a drill request (the console form and action)', () => {
  const valid = { algorithms: ['unsafe', 'lease'], workers: '8', late: '2', lateAfterMs: '100', windowMs: '200' };
  // The lines a refusal lists (the action guard's zodIssueLines).
  const issues = (input: unknown) => {
    const parsed = drillRequestSchema.safeParse(input);
    return parsed.success ? [] : zodIssueLines(parsed.error);
  };

  it('accepts a set of the known algorithms and bounded numbers', () => {
    expect(drillRequestSchema.parse(valid)).toEqual({ algorithms: ['unsafe', 'lease'], workers: 8, late: 2, lateAfterMs: 100, windowMs: 200 });
    // One checkbox posted as a form field.
    expect(drillRequestSchema.parse({ ...valid, algorithms: 'lease' }).algorithms).toEqual(['lease']);
  });

  it('refuses 200 algorithms with one line naming the field, before looking at any of them', () => {
    expect(issues({ ...valid, algorithms: Array.from({ length: 200 }, () => 'lease') })).toEqual([
      'algorithms: at most 3 algorithms, each once (unsafe, copy-drop-restore, lease)',
    ]);
    expect(issues({ ...valid, algorithms: Array.from({ length: 200 }, (_, i) => `x${i}`) })).toHaveLength(1);
  });

  it('refuses duplicates, unknown algorithms and an empty choice, naming the field', () => {
    expect(issues({ ...valid, algorithms: ['lease', 'lease'] })).toEqual(['algorithms: each algorithm at most once']);
    expect(issues({ ...valid, algorithms: ['lease', 'rm -rf'] })).toEqual(['algorithms[1]: must be one of unsafe, copy-drop-restore, lease']);
    expect(issues({ ...valid, algorithms: [] })).toEqual(['algorithms: choose at least one algorithm']);
    expect(issues({ ...valid, algorithms: { 0: 'lease' } })).toEqual(['algorithms: must be a list of algorithms (unsafe, copy-drop-restore, lease)']);
  });

  it('bounds workers (1..32), late starters (0..16) and both windows, naming each field', () => {
    expect(issues({ ...valid, workers: '0' })).toEqual(['workers: must be at least 1']);
    expect(issues({ ...valid, workers: '33' })).toEqual(['workers: must be at most 32']);
    expect(issues({ ...valid, workers: 'many' })).toEqual(['workers: must be a whole number from 1 to 32']);
    expect(issues({ ...valid, workers: '2.5' })).toEqual(['workers: must be a whole number from 1 to 32']);
    expect(issues({ ...valid, late: '17' })).toEqual(['late: must be at most 16']);
    expect(issues({ ...valid, late: '-1' })).toEqual(['late: must be at least 0']);
    expect(issues({ ...valid, lateAfterMs: '60001' })).toEqual(['lateAfterMs: must be at most 60000 ms']);
    expect(issues({ ...valid, windowMs: '10001' })).toEqual(['windowMs: must be at most 10000 ms']);
    expect(issues({ ...valid, windowMs: '1e9' })).toEqual(['windowMs: must be at most 10000 ms']);
  });
});

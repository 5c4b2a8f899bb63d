import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { INIT_HISTORY } from '../../lib/db/collections';
import { runDrill, runDrillRounds } from '../../lib/drill/run-drill';
import type { DrillResult } from '../../lib/drill/types';
import type { HistoryEvent } from '../../lib/schemas/history';
import { mongoUri } from '../support/db';

/**
 * The race drill against real worker processes over a real socket. Each drill makes its own
 * `drill_` scratch database; the tests that keep it (to read the history themselves) drop it here.
 */
describe('race drill', () => {
  let client: MongoClient | undefined;
  const kept: string[] = [];
  const db = (name: string) => {
    client ??= new MongoClient(mongoUri(), { serverSelectionTimeoutMS: 10_000 });
    return client.db(name);
  };
  const keep = (r: DrillResult) => kept.push(...new Set([r.database, r.history_database]));
  const history = (r: DrillResult) =>
    db(r.history_database).collection<HistoryEvent>(INIT_HISTORY).find({ run_id: r.run_id }, { sort: { at: 1, _id: 1 } }).toArray();

  afterAll(async () => {
    for (const name of kept) await db(name).dropDatabase().catch(() => {});
    await client?.close();
  });

  it('unsafe, 8 workers: the history shows several wipes, and the report names what is wrong in the data', async () => {
    const r = await runDrill(mongoUri(), { algorithm: 'unsafe', workers: 8, keep: true });
    keep(r);
    const events = await history(r);
    const wiped = events.filter((e) => e.event === 'wiped');
    // Every worker cleared the lock and dropped the database: each one wiped.
    expect(wiped.length).toBeGreaterThan(1);
    expect(new Set(wiped.map((e) => e.worker_id)).size).toBe(wiped.length);
    expect(r.wipes).toBe(wiped.length);
    expect(r.acquired).toBeGreaterThan(1);
    // The data left behind: the platform's only "done" marker went with a dropped database.
    expect(r.completion_marker).toBe(false);
    expect(r.data_problems.length).toBeGreaterThan(0);
    expect(r.data_problems.join('\n')).toMatch(/no completion marker/);
    expect(r.findings).toEqual(expect.arrayContaining([...r.data_problems, `${r.wipes} wipes in one run`]));
    expect(r.pass).toBe(false);
    // The scratch database is a drill's, and its history lives apart from what dropDatabase removes.
    expect(r.database).toMatch(/^drill_unsafe_/);
    expect(r.history_database).toBe(`${r.database}_history`);
  }, 150_000);

  it('copy-drop-restore, 8 workers + 2 late, window 200 ms: a late starter takes the lock in the window and wipes again', async () => {
    const r = await runDrill(mongoUri(), { algorithm: 'copy-drop-restore', workers: 8, late: 2, lateAfterMs: 100, windowMs: 200, keep: true });
    keep(r);
    const events = await history(r);
    const lateInWindow = r.breaches.filter((b) => b.late && b.in_window && b.wiped_again);
    expect(lateInWindow.length).toBeGreaterThan(0);
    const breach = lateInWindow[0]!;
    expect(breach.ms_into_window).toBeGreaterThanOrEqual(0);
    expect(breach.ms_into_window).toBeLessThanOrEqual(200 + 50);
    // The history agrees: the late starter acquired and then wiped.
    const byLate = events.filter((e) => e.worker_id === breach.taken_by).map((e) => e.event);
    expect(byLate).toEqual(expect.arrayContaining(['acquired', 'wipe-started', 'wiped']));
    expect(r.wipes).toBeGreaterThanOrEqual(2);
    // The report says so, in words.
    expect(r.run_problems).toContainEqual(expect.stringMatching(new RegExp(`^late starter ${breach.taken_by} took the lock \\d+ ms into .*drop-to-restore window and wiped again$`)));
    expect(r.findings).toContainEqual(expect.stringMatching(/^\d+ wipes in one run$/));
    expect(r.window_ms).toBe(200);
    expect(r.pass).toBe(false);
  }, 150_000);

  it('lease, 8 workers + 2 late, 20 times: every time one acquired, one wipe, three projects, no invalid component', async () => {
    const results = await runDrillRounds(mongoUri(), { algorithm: 'lease', workers: 8, late: 2, lateAfterMs: 100, windowMs: 200 }, 20);
    expect(results).toHaveLength(20);
    for (const r of results) {
      expect({ round: r.run_id, acquired: r.acquired, wipes: r.wipes, projects: r.projects, invalid: r.invalid_components }).toEqual({
        round: r.run_id,
        acquired: 1,
        wipes: 1,
        projects: 3,
        invalid: 0,
      });
      expect(r.workers).toBe(10);
      expect(r.exit_codes).toEqual({ 0: 10 });
      expect(r.breaches).toEqual([]);
      expect(r.pass).toBe(true);
    }
    // Twenty fresh scratch databases, twenty generations.
    expect(new Set(results.map((r) => r.database)).size).toBe(20);
  }, 180_000);

  it('lease with the holder killed (SIGKILL) mid-seed: takeover after the lease, one completed generation', async () => {
    const r = await runDrill(mongoUri(), { algorithm: 'lease', workers: 6, leaseMs: 1_000, killHolder: true, killPauseMs: 1_500, keep: true });
    keep(r);
    expect(r.killed).toHaveLength(1);
    const victim = r.killed[0]!;
    expect(r.exit_codes.SIGKILL).toBe(1);
    const events = await history(r);
    const mine = events.filter((e) => e.worker_id === victim).map((e) => e.event);
    // Killed after its first project, before it could finish.
    expect(mine).toContain('seeded-project');
    expect(mine).not.toContain('completed');

    const takeovers = events.filter((e) => e.event === 'takeover');
    expect(takeovers).toHaveLength(1);
    const takeover = takeovers[0]!;
    expect(takeover.detail.from).toBe(victim);
    // After the lease: the victim's last expiry had passed when the successor took over.
    const expiries = events
      .filter((e) => e.worker_id === victim && e.detail.lease_expires_at instanceof Date)
      .map((e) => (e.detail.lease_expires_at as Date).getTime());
    expect(takeover.at.getTime()).toBeGreaterThanOrEqual(Math.max(...expiries));
    expect(takeover.fence).toBeGreaterThan(events.find((e) => e.worker_id === victim && e.event === 'acquired')!.fence!);

    const completed = events.filter((e) => e.event === 'completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.worker_id).toBe(takeover.worker_id);
    expect(r).toMatchObject({ takeovers: 1, completions: 1, acquired: 2, projects: 3, invalid_components: 0, completion_marker: true, pass: true });
    expect(r.findings).toContain('1 holder died and was taken over');
  }, 150_000);
});

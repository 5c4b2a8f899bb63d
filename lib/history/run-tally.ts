import { z } from 'zod';
import { CONSOLE_EVENTS, type HistoryEvent, type HistoryEventName } from '../schemas/history';
import { FAILED_EVENTS, FINAL_EVENTS } from './final-events';

const count = z.number().int().nonnegative();

/** What a run's history says, worker by worker. */
export const runTallySchema = z.object({
  generations: z.array(z.string()),
  workers: count,
  /** Workers that were granted the lease (a takeover of an expired lease counts). */
  acquired: count,
  /** Workers that waited for the holder and then found the generation complete. */
  waited: count,
  /** Workers that found the generation already complete at boot. */
  skipped: count,
  /** Workers that ended with failed, wait-timeout or lease-lost. */
  failed: count,
  /** Workers with no final event: killed, or still running. */
  lost: count,
  wipes: count,
  takeovers: count,
  completions: count,
  /** From the first worker's boot to the last worker's final event. */
  elapsed_ms: z.number().nullable(),
  started_at: z.date().nullable(),
  finished_at: z.date().nullable(),
  /** Workers granted the lease, in the order they got it. */
  holders: z.array(z.string()),
});
export type RunTally = z.infer<typeof runTallySchema>;

/** Counts a run from its history, never from what workers believe. */
export function tallyRun(events: HistoryEvent[]): RunTally {
  const byWorker = new Map<string, HistoryEvent[]>();
  for (const e of events) {
    // An admin's action shows in the run's timeline; it is not a worker of the run.
    if (CONSOLE_EVENTS.includes(e.event)) continue;
    const list = byWorker.get(e.worker_id) ?? [];
    list.push(e);
    byWorker.set(e.worker_id, list);
  }
  let waited = 0;
  let skipped = 0;
  let failed = 0;
  let lost = 0;
  let lastFinal: Date | null = null;
  const holders: string[] = [];
  for (const [worker, list] of byWorker) {
    const names = new Set(list.map((e) => e.event));
    if (names.has('acquired')) holders.push(worker);
    const final = list.filter((e) => FINAL_EVENTS.has(e.event)).at(-1);
    if (!final) lost += 1;
    else if (FAILED_EVENTS.has(final.event)) failed += 1;
    else if (final.event === 'ready' && !names.has('acquired')) waited += 1;
    else if (final.event === 'skipped-complete' && !names.has('acquired')) skipped += 1;
    if (final && !FAILED_EVENTS.has(final.event) && (!lastFinal || final.at > lastFinal)) lastFinal = final.at;
  }
  const tally = (name: HistoryEventName) => events.filter((e) => e.event === name).length;
  const startedAt = events.find((e) => e.event === 'boot')?.at ?? events[0]?.at ?? null;
  holders.sort((a, b) => firstAt(byWorker.get(a) ?? [], 'acquired') - firstAt(byWorker.get(b) ?? [], 'acquired'));
  return {
    workers: byWorker.size,
    acquired: holders.length,
    waited,
    skipped,
    failed,
    lost,
    wipes: tally('wiped'),
    takeovers: tally('takeover'),
    completions: tally('completed'),
    holders,
    started_at: startedAt,
    finished_at: lastFinal,
    elapsed_ms: startedAt && lastFinal ? lastFinal.getTime() - startedAt.getTime() : null,
    generations: [...new Set(events.map((e) => e.generation))],
  };
}

function firstAt(list: HistoryEvent[], name: HistoryEventName): number {
  return list.find((e) => e.event === name)?.at.getTime() ?? Number.POSITIVE_INFINITY;
}

import type { Db, Document, Filter } from 'mongodb';
import { INIT_HISTORY } from '../db/collections';
import { judgeRun, tallyRun } from '../history/verdict';
import type { HistoryEvent } from '../schemas/history';
import { iso } from './json';

export interface EventJson {
  id: string;
  at: string;
  run_id: string;
  generation: string;
  worker_id: string;
  host: string;
  pid: number;
  fence: number | null;
  event: HistoryEvent['event'];
  detail: Record<string, unknown>;
}

export interface RunJson {
  run_id: string;
  generations: string[];
  started_at: string | null;
  finished_at: string | null;
  last_event_at: string | null;
  workers: number;
  acquired: number;
  waited: number;
  skipped: number;
  failed: number;
  lost: number;
  wipes: number;
  takeovers: number;
  completions: number;
  elapsed_ms: number | null;
  holders: string[];
  pass: boolean;
  findings: string[];
  /** Some worker has no final event yet: still running, or killed. */
  unfinished: boolean;
}

export function eventJson(doc: HistoryEvent & { _id?: unknown }): EventJson {
  return {
    id: String(doc._id ?? ''),
    at: doc.at.toISOString(),
    run_id: doc.run_id,
    generation: doc.generation,
    worker_id: doc.worker_id,
    host: doc.host,
    pid: doc.pid,
    fence: doc.fence,
    event: doc.event,
    detail: JSON.parse(JSON.stringify(doc.detail ?? {})) as Record<string, unknown>,
  };
}

/** A run's figures and verdict, from its history alone. */
export function summarizeRun(runId: string, events: HistoryEvent[]): RunJson {
  const tally = tallyRun(events);
  const { pass, findings } = judgeRun(tally);
  return {
    run_id: runId,
    generations: tally.generations,
    started_at: iso(tally.started_at),
    finished_at: iso(tally.finished_at),
    last_event_at: iso(events.at(-1)?.at),
    workers: tally.workers,
    acquired: tally.acquired,
    waited: tally.waited,
    skipped: tally.skipped,
    failed: tally.failed,
    lost: tally.lost,
    wipes: tally.wipes,
    takeovers: tally.takeovers,
    completions: tally.completions,
    elapsed_ms: tally.elapsed_ms,
    holders: tally.holders,
    pass,
    findings,
    unfinished: tally.lost > 0,
  };
}

export async function runEvents(db: Db, runId: string): Promise<HistoryEvent[]> {
  return db.collection<HistoryEvent>(INIT_HISTORY).find({ run_id: runId }, { sort: { at: 1, _id: 1 } }).toArray();
}

/**
 * Runs, newest first: the runs are found from their `boot` events (one per worker, a fraction of
 * all events), then each run on the page is read whole by its index (`run_id, at`).
 */
export async function listRuns(
  db: Db,
  options: { match?: Filter<HistoryEvent>; skip: number; limit: number },
): Promise<{ runs: Array<RunJson & { events: EventJson[] }>; has_more: boolean }> {
  const ids = await db
    .collection<HistoryEvent>(INIT_HISTORY)
    .aggregate<{ _id: string }>([
      { $match: { ...(options.match ?? {}), event: 'boot' } as Document },
      { $group: { _id: '$run_id', last: { $max: '$at' } } },
      { $sort: { last: -1, _id: -1 } },
      { $skip: options.skip },
      { $limit: options.limit + 1 },
    ])
    .toArray();
  const page = ids.slice(0, options.limit);
  const runs = await Promise.all(
    page.map(async ({ _id }) => {
      const events = await runEvents(db, _id);
      return { ...summarizeRun(_id, events), events: events.map(eventJson) };
    }),
  );
  return { runs, has_more: ids.length > options.limit };
}

/** Race-drill runs are kept in the history for their timelines; they are not the platform's runs. */
export const DRILL_RUN_PREFIX = 'drill-';

/** The platform's run with the newest event (drill runs aside). */
export async function latestRun(db: Db): Promise<RunJson | null> {
  const last = await db
    .collection<HistoryEvent>(INIT_HISTORY)
    .findOne({ run_id: { $not: new RegExp(`^${DRILL_RUN_PREFIX}`) } }, { sort: { at: -1, _id: -1 }, projection: { run_id: 1 } });
  if (!last) return null;
  return summarizeRun(last.run_id, await runEvents(db, last.run_id));
}

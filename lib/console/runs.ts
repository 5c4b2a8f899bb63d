import type { Db, Document, Filter } from 'mongodb';
import { INIT_HISTORY } from '../db/collections';
import { judgeRun } from '../history/findings';
import { runEvents } from '../history/run-events';
import { tallyRun } from '../history/run-tally';
import { CONSOLE_EVENTS, type HistoryEvent } from '../schemas/history';
import { iso } from './json';
import type { EventView, RunsPage, RunView } from './views';

export function eventJson(doc: HistoryEvent & { _id?: unknown }): EventView {
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
export function summarizeRun(runId: string, events: HistoryEvent[]): RunView {
  const tally = tallyRun(events);
  const { pass, findings } = judgeRun(tally);
  return {
    ...tally,
    run_id: runId,
    started_at: iso(tally.started_at),
    finished_at: iso(tally.finished_at),
    last_event_at: iso(events.at(-1)?.at),
    pass,
    findings,
    unfinished: tally.lost > 0,
  };
}

/**
 * Runs, newest first: the runs are found from their `boot` events (one per worker, a fraction of
 * all events), then each run on the page is read whole by its index (`run_id, at`).
 */
export async function listRuns(db: Db, options: { match?: Filter<HistoryEvent>; skip: number; limit: number }): Promise<RunsPage> {
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
export async function latestRun(db: Db): Promise<RunView | null> {
  const last = await db.collection<HistoryEvent>(INIT_HISTORY).findOne(
    // An admin's refused call is no run; a reseed's run shows through its workers' events.
    { run_id: { $not: new RegExp(`^${DRILL_RUN_PREFIX}`) }, event: { $nin: [...CONSOLE_EVENTS] } },
    { sort: { at: -1, _id: -1 }, projection: { run_id: 1 } },
  );
  if (!last) return null;
  return summarizeRun(last.run_id, await runEvents(db, last.run_id));
}

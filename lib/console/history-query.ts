import { ObjectId, type Db, type Filter } from 'mongodb';
import { z } from 'zod';
import { INIT_HISTORY } from '../db/collections';
import { HISTORY_EVENTS, type HistoryEvent } from '../schemas/history';
import { wholeNumberSchema } from '../whole-number';
import { eventJson } from './runs';
import { MAX_RUNS_SKIP } from './urls';
import type { EventsPage, EventView } from './views';

const text = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => v || undefined);
const time = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const date = new Date(v);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `not a date and time: "${v}"` });
      return z.NEVER;
    }
    return date;
  });

/** The workers page's filters, as they come in the URL. */
export const historyFilterSchema = z.object({
  run: text,
  worker: text,
  event: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.enum(HISTORY_EVENTS, { message: `event must be one of ${HISTORY_EVENTS.join(', ')}` }).optional()),
  from: time,
  to: time,
});
export type HistoryFilter = z.infer<typeof historyFilterSchema>;

/** The runs list: filters plus a page of runs. */
export const runsQuerySchema = historyFilterSchema.extend({
  skip: wholeNumberSchema({ min: 0, max: MAX_RUNS_SKIP }).default(0),
  limit: wholeNumberSchema({ min: 1, max: 50 }).default(5),
});

/** The events table: filters plus a keyset position. */
export const eventsQuerySchema = historyFilterSchema.extend({
  before: z.string().max(200).optional(),
  after: z.string().max(200).optional(),
  limit: wholeNumberSchema({ min: 1, max: 500 }).default(50),
});

export function historyMatch(filter: Partial<HistoryFilter>): Filter<HistoryEvent> {
  const match: Filter<HistoryEvent> = {};
  if (filter.run) match.run_id = filter.run;
  if (filter.worker) match.worker_id = filter.worker;
  if (filter.event) match.event = filter.event;
  if (filter.from || filter.to) match.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lte: filter.to } : {}) };
  return match;
}

/** A position in the newest-first order: the (at, _id) of the last event shown. */
interface Position {
  at: Date;
  id: ObjectId;
}

export function encodeCursor(event: { at: string; id: string }): string {
  return Buffer.from(`${event.at}|${event.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Position | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || !ObjectId.isValid(id) || Number.isNaN(new Date(at).getTime())) return undefined;
  return { at: new Date(at), id: new ObjectId(id) };
}

type Sort = { at: 1 | -1; _id: 1 | -1 };

/** What one keyset page asks the database: the filter, its order, how many. */
export interface EventsPageQuery {
  filter: Filter<HistoryEvent>;
  sort: Sort;
  limit: number;
  /** From the newest event, back from a position, or towards the newest from one (read ascending, flipped afterwards). */
  position: 'none' | 'before' | 'after';
}

/**
 * The filter and order of one keyset page on (at, _id). The position bounds `at` itself as well
 * as the exact (at, _id) tie-break: the index's range then starts at the position, so a deep
 * page costs what the first one does (the `$or` alone could be read as a filter over the range).
 */
export function eventsPageQuery(filter: Partial<HistoryFilter>, page: { before?: string; after?: string; limit: number }): EventsPageQuery {
  const base = historyMatch(filter);
  const before = decodeCursor(page.before);
  const after = decodeCursor(page.after);
  if (after) {
    const newer = { at: { $gte: after.at }, $or: [{ at: { $gt: after.at } }, { at: after.at, _id: { $gt: after.id } }] };
    return { filter: { $and: [base, newer] } as Filter<HistoryEvent>, sort: { at: 1, _id: 1 }, limit: page.limit + 1, position: 'after' };
  }
  const older = before ? { at: { $lte: before.at }, $or: [{ at: { $lt: before.at } }, { at: before.at, _id: { $lt: before.id } }] } : {};
  return { filter: { $and: [base, older] } as Filter<HistoryEvent>, sort: { at: -1, _id: -1 }, limit: page.limit + 1, position: before ? 'before' : 'none' };
}

/**
 * One page of events, newest first, by keyset on (at, _id): each page costs the same however
 * deep it is, on the index whose keys are the filter's fields and then (at, _id) (lib/init/indexes.ts).
 */
export async function queryEvents(db: Db, filter: Partial<HistoryFilter>, page: { before?: string; after?: string; limit: number }): Promise<EventsPage> {
  const query = eventsPageQuery(filter, page);
  const docs = (await db.collection<HistoryEvent>(INIT_HISTORY).find(query.filter, { sort: query.sort, limit: query.limit }).toArray()) as Array<
    HistoryEvent & { _id: ObjectId }
  >;
  const hasMore = docs.length > page.limit;
  const shown = docs.slice(0, page.limit);
  const events = (query.position === 'after' ? shown.reverse() : shown).map(eventJson);
  if (query.position === 'after') {
    return { events, newer: hasMore && events[0] ? encodeCursor(events[0]) : null, older: events.at(-1) ? encodeCursor(events.at(-1)!) : null };
  }
  return {
    events,
    older: hasMore && events.at(-1) ? encodeCursor(events.at(-1)!) : null,
    newer: query.position === 'before' && events[0] ? encodeCursor(events[0]) : null,
  };
}

/** The export's order: oldest first, so an export can be replayed. */
export const EXPORT_SORT: Sort = { at: 1, _id: 1 };

/** Every matching event, oldest first (so an export can be replayed), one at a time. */
export function exportEvents(db: Db, filter: Partial<HistoryFilter>): AsyncIterable<EventView> {
  const cursor = db.collection<HistoryEvent>(INIT_HISTORY).find(historyMatch(filter), { sort: EXPORT_SORT, batchSize: 1000 });
  return (async function* () {
    for await (const doc of cursor) yield eventJson(doc);
  })();
}

/** Distinct values for the filter menus, newest runs first. */
export async function filterChoices(db: Db): Promise<{ runs: string[]; workers: string[] }> {
  const collection = db.collection<HistoryEvent>(INIT_HISTORY);
  const [runs, workers] = await Promise.all([
    collection
      .aggregate<{ _id: string }>([
        { $match: { event: 'boot' } },
        { $group: { _id: '$run_id', last: { $max: '$at' } } },
        { $sort: { last: -1 } },
        { $limit: 200 },
      ])
      .toArray(),
    collection
      .aggregate<{ _id: string }>([
        { $match: { event: 'boot' } },
        { $group: { _id: '$worker_id', last: { $max: '$at' } } },
        { $sort: { last: -1 } },
        { $limit: 500 },
      ])
      .toArray(),
  ]);
  return { runs: runs.map((r) => r._id), workers: workers.map((w) => w._id) };
}

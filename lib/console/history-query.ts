import { ObjectId, type Db, type Filter } from 'mongodb';
import { z } from 'zod';
import { INIT_HISTORY } from '../db/collections';
import { HISTORY_EVENTS, type HistoryEvent } from '../schemas/history';
import { eventJson } from './runs';
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
  skip: z.coerce.number().int().min(0).max(100_000).default(0),
  limit: z.coerce.number().int().min(1).max(50).default(5),
});

/** The events table: filters plus a keyset position. */
export const eventsQuerySchema = historyFilterSchema.extend({
  before: z.string().max(200).optional(),
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
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

/**
 * One page of events, newest first, by keyset on (at, _id): each page costs the same however
 * deep it is, on the `at_desc` index (or the run/worker/event indexes when filtered).
 */
export async function queryEvents(db: Db, filter: Partial<HistoryFilter>, page: { before?: string; after?: string; limit: number }): Promise<EventsPage> {
  const base = historyMatch(filter);
  const before = decodeCursor(page.before);
  const after = decodeCursor(page.after);
  const collection = db.collection<HistoryEvent>(INIT_HISTORY);
  let docs: Array<HistoryEvent & { _id: ObjectId }>;
  if (after) {
    // Going back towards the newest: read ascending from the position, then flip.
    const newer = { $or: [{ at: { $gt: after.at } }, { at: after.at, _id: { $gt: after.id } }] };
    docs = (await collection.find({ $and: [base, newer] } as Filter<HistoryEvent>, { sort: { at: 1, _id: 1 }, limit: page.limit + 1 }).toArray()) as Array<
      HistoryEvent & { _id: ObjectId }
    >;
    const hasNewer = docs.length > page.limit;
    docs = docs.slice(0, page.limit).reverse();
    const events = docs.map(eventJson);
    return { events, newer: hasNewer && events[0] ? encodeCursor(events[0]) : null, older: events.at(-1) ? encodeCursor(events.at(-1)!) : null };
  }
  const older = before ? { $or: [{ at: { $lt: before.at } }, { at: before.at, _id: { $lt: before.id } }] } : {};
  docs = (await collection.find({ $and: [base, older] } as Filter<HistoryEvent>, { sort: { at: -1, _id: -1 }, limit: page.limit + 1 }).toArray()) as Array<
    HistoryEvent & { _id: ObjectId }
  >;
  const hasOlder = docs.length > page.limit;
  const events = docs.slice(0, page.limit).map(eventJson);
  return {
    events,
    older: hasOlder && events.at(-1) ? encodeCursor(events.at(-1)!) : null,
    newer: before && events[0] ? encodeCursor(events[0]) : null,
  };
}

/** Every matching event, oldest first (so an export can be replayed), one at a time. */
export function exportEvents(db: Db, filter: Partial<HistoryFilter>): AsyncIterable<EventView> {
  const cursor = db.collection<HistoryEvent>(INIT_HISTORY).find(historyMatch(filter), { sort: { at: 1, _id: 1 }, batchSize: 1000 });
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

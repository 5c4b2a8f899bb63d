import type { Db } from 'mongodb';
import { INIT_HISTORY } from '../db/collections';
import type { HistoryEvent } from '../schemas/history';

/** One run's events in the order they happened (by the `run_id, at` index). */
export async function runEvents(db: Db, runId: string): Promise<HistoryEvent[]> {
  return db
    .collection<HistoryEvent>(INIT_HISTORY)
    .find({ run_id: runId }, { sort: { at: 1, _id: 1 } })
    .toArray();
}

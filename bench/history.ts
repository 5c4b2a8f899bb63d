import { randomBytes } from 'node:crypto';
import { MongoClient, ObjectId } from 'mongodb';
import { queryEvents } from '../lib/console/history-query';
import { listRuns } from '../lib/console/runs';
import { INIT_HISTORY } from '../lib/db/collections';
import { serverFacts } from '../lib/db/topology';
import { ensureIndexes } from '../lib/init/indexes';
import { HISTORY_EVENTS } from '../lib/schemas/history-events';

const EVENTS = 100_000;

/**
 * The workers page's reads on a history of 100,000 events: the newest page, a page 20 pages deep
 * (keyset pagination: the same query shape at any depth), a page filtered by worker, and the page
 * of runs. On a real MongoDB each is an index range scan of one page (indexes at_desc, run_at_id,
 * worker_at_id, event_at_id); the emulator has no indexes, so there every read scans the collection.
 */
export async function benchHistory(uri: string, log: (line: string) => void): Promise<Record<string, number>> {
  const client = await new MongoClient(uri).connect();
  const db = client.db(`bench_history_${randomBytes(3).toString('hex')}`);
  try {
    await ensureIndexes(db, await serverFacts(db));
    const start = Date.UTC(2026, 0, 1);
    for (let batch = 0; batch < EVENTS / 5_000; batch += 1) {
      await db.collection(INIT_HISTORY).insertMany(
        Array.from({ length: 5_000 }, (_, i) => {
          const n = batch * 5_000 + i;
          return {
            _id: new ObjectId(),
            at: new Date(start + n * 10),
            run_id: `run-${Math.floor(n / 80)}`,
            generation: 'g',
            worker_id: `worker-${n % 16}`,
            host: 'bench',
            pid: n % 16,
            fence: 1,
            event: HISTORY_EVENTS[n % 5]!,
            detail: {},
          };
        }),
      );
    }
    const time = async (read: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const t = performance.now();
        await read();
        runs.push(performance.now() - t);
      }
      return Number(runs.sort((a, b) => a - b)[1]!.toFixed(1));
    };
    let cursor = (await queryEvents(db, {}, { limit: 50 })).older;
    for (let page = 1; page < 20; page += 1) cursor = (await queryEvents(db, {}, { before: cursor!, limit: 50 })).older;
    const figures = {
      history_100k_first_page_ms: await time(() => queryEvents(db, {}, { limit: 50 })),
      history_100k_page_20_ms: await time(() => queryEvents(db, {}, { before: cursor!, limit: 50 })),
      history_100k_worker_page_ms: await time(() => queryEvents(db, { worker: 'worker-3' }, { limit: 50 })),
      history_100k_runs_page_ms: await time(() => listRuns(db, { skip: 0, limit: 5 })),
    };
    log(
      `history: 100,000 events, one page of 50: newest ${figures.history_100k_first_page_ms} ms, 20 pages deep ${figures.history_100k_page_20_ms} ms, ` +
        `one worker's ${figures.history_100k_worker_page_ms} ms; 5 runs with their events ${figures.history_100k_runs_page_ms} ms ` +
        '(keyset pagination: on MongoDB each page is an index range scan of its 50 events, at any depth; the emulator has no indexes and scans all 100,000 events for every read)',
    );
    return figures;
  } finally {
    await db.dropDatabase().catch(() => {});
    await client.close();
  }
}

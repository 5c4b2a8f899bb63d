import type { MongoClient } from 'mongodb';
import { ServerClock } from '../db/server-clock';
import { HistoryRecorder } from '../history/recorder';
import type { WorkerOptions } from '../init/run-worker';
import { runCopyDropRestoreWorker } from './copy-drop-restore';
import type { LegacyOutcome } from './legacy';
import { assertScratchDatabase } from './scratch';
import type { DrillAlgorithm } from './types';
import { runUnsafeWorker } from './unsafe';

export type LegacyAlgorithm = Exclude<DrillAlgorithm, 'lease'>;

export interface LegacyWorkerRequest {
  algorithm: LegacyAlgorithm;
  /** The scratch database to initialize; must be a drill's. */
  database: string;
  /** Where the history goes; a different drill database, so that `dropDatabase` leaves it. */
  historyDatabase: string;
  windowMs: number;
  /** The worker as `prepareWorker` made it (identity, validated seeds, generation, run, polling). */
  options: WorkerOptions;
}

/** One worker of the race drill running one of the old platform's algorithms. */
export async function runLegacyWorker(client: MongoClient, request: LegacyWorkerRequest): Promise<LegacyOutcome> {
  assertScratchDatabase(request.database);
  assertScratchDatabase(request.historyDatabase);
  if (request.historyDatabase === request.database) {
    throw new Error(`the history of the ${request.algorithm} algorithm must live outside the database it drops (${request.database})`);
  }
  const { options } = request;
  const db = client.db(request.database);
  const clock = new ServerClock(db);
  await clock.sync();
  const history = new HistoryRecorder(client.db(request.historyDatabase), clock, options.identity, {
    run_id: options.runId,
    generation: options.generation,
  });
  if (options.onEvent) history.onEvent(options.onEvent);
  const legacy = {
    db,
    history,
    clock,
    identity: options.identity,
    seeds: options.seeds,
    wipe: options.wipe,
    pollMs: options.pollMs,
    waitTimeoutMs: options.waitTimeoutMs,
    windowMs: request.windowMs,
  };
  return request.algorithm === 'unsafe' ? runUnsafeWorker(legacy) : runCopyDropRestoreWorker(legacy);
}

import type { Db } from 'mongodb';
import { INIT_HISTORY } from '../db/collections';
import type { ServerClock } from '../db/server-clock';
import type { WorkerIdentity } from '../lock/identity';
import type { HistoryEvent, HistoryEventName } from '../schemas/history';

export interface RunContext {
  run_id: string;
  generation: string;
}

/** Appends `init_history` events for one worker in one run. History is append-only. */
export class HistoryRecorder {
  private readonly listeners: Array<(event: HistoryEvent) => void | Promise<void>> = [];

  constructor(
    private readonly db: Db,
    private readonly clock: ServerClock,
    private readonly worker: WorkerIdentity,
    private readonly run: RunContext,
  ) {}

  /** Called after each event is stored (logging, fault injection in tests and drills). */
  onEvent(listener: (event: HistoryEvent) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  /** `at` defaults to now on the server's clock; pass it to date an event at the moment it happened. */
  async record(event: HistoryEventName, fence: number | null, detail: Record<string, unknown> = {}, at?: Date): Promise<void> {
    const doc: HistoryEvent = {
      at: at ?? this.clock.now(),
      run_id: this.run.run_id,
      generation: this.run.generation,
      worker_id: this.worker.worker_id,
      host: this.worker.host,
      pid: this.worker.pid,
      fence,
      event,
      detail,
    };
    await this.db.collection<HistoryEvent>(INIT_HISTORY).insertOne({ ...doc });
    for (const listener of this.listeners) await listener(doc);
  }
}

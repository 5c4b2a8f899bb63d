import type { Db } from 'mongodb';
import { INIT_HISTORY } from '../db/collections';
import type { ServerClock } from '../db/server-clock';
import type { WorkerIdentity } from '../lock/identity';
import type { HistoryEvent, HistoryEventName } from '../schemas/history';
import { durable } from '../db/concerns';

export interface RunContext {
  run_id: string;
  generation: string;
}

/**
 * Appends `init_history` events for one worker in one run. History is append-only.
 *
 * With `pipeline`, `record` sends the insert and goes on without waiting for the answer (the
 * holder's steps do not queue behind their own log lines); `flush()` waits for every insert and
 * reports the first failure. Events keep their order: `at` is taken when they are recorded.
 */
export class HistoryRecorder {
  private readonly listeners: Array<(event: HistoryEvent) => void | Promise<void>> = [];
  private readonly pending = new Set<Promise<unknown>>();
  private failure: unknown;

  constructor(
    private readonly db: Db,
    private readonly clock: ServerClock,
    private readonly worker: WorkerIdentity,
    private readonly run: RunContext,
    private readonly options: { pipeline?: boolean } = {},
  ) {}

  /** Called after each event is recorded (logging, fault injection in tests and drills). */
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
    // Durable like the writes it describes: a verdict must not lose an event to a failover.
    const insert = this.db.collection<HistoryEvent>(INIT_HISTORY).insertOne({ ...doc }, durable());
    if (this.options.pipeline) {
      const tracked = insert.catch((error: unknown) => {
        this.failure ??= error;
      });
      this.pending.add(tracked);
      void tracked.finally(() => this.pending.delete(tracked));
    } else {
      await insert;
    }
    for (const listener of this.listeners) await listener(doc);
  }

  /** Waits until every event recorded so far is stored; throws the first insert that failed. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
    if (this.failure !== undefined) throw this.failure;
  }
}

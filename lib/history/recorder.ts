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
 * `defer` holds an event back until the next `record`, which stores both in one insert.
 */
export class HistoryRecorder {
  private readonly listeners: Array<(event: HistoryEvent) => void | Promise<void>> = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly deferred: HistoryEvent[] = [];
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
    this.deferred.push(this.event(event, fence, detail, at));
    await this.sendDeferred();
  }

  /**
   * Dated now and stored with the next `record` (or `sendDeferred`, `flush`), in one insert: an
   * event that rides along with the next one instead of costing a round trip of its own.
   * Listeners hear it when it is sent.
   */
  defer(event: HistoryEventName, fence: number | null, detail: Record<string, unknown> = {}, at?: Date): void {
    this.deferred.push(this.event(event, fence, detail, at));
  }

  /** Sends the deferred events in one insert, then tells the listeners, in order. */
  async sendDeferred(): Promise<void> {
    const docs = this.deferred.splice(0);
    if (docs.length === 0) return;
    await this.send(docs);
    for (const doc of docs) for (const listener of this.listeners) await listener(doc);
  }

  private event(event: HistoryEventName, fence: number | null, detail: Record<string, unknown>, at?: Date): HistoryEvent {
    return {
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
  }

  private async send(docs: HistoryEvent[]): Promise<void> {
    // Durable like the writes it describes: a verdict must not lose an event to a failover.
    const collection = this.db.collection<HistoryEvent>(INIT_HISTORY);
    const copies = docs.map((d) => ({ ...d }));
    const insert: Promise<unknown> =
      copies.length === 1 ? collection.insertOne(copies[0]!, durable()) : collection.insertMany(copies, { ordered: true, ...durable() });
    if (!this.options.pipeline) {
      await insert;
      return;
    }
    const tracked = insert.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Sends what is deferred, then waits until every event recorded so far is stored; throws the first insert that failed. */
  async flush(): Promise<void> {
    await this.sendDeferred();
    await Promise.all([...this.pending]);
    if (this.failure !== undefined) throw this.failure;
  }
}

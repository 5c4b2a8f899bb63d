import type { Collection, Db, Document, MongoClient } from 'mongodb';
import type { Topology } from './report';

/** What every row gets: the scratch database and ways to open more connections. */
export interface ProbeContext {
  client: MongoClient;
  /** The scratch database, with the product's write concern (majority, journaled, with a timeout). */
  db: Db;
  topology: Topology;
  /** The `hello` reply of the primary the probe talks to. */
  hello: Document;
  serverVersion: string;
  timeoutMs: number;
  /** How many connections race in the acquire row. */
  raceWorkers: number;
  /** Another connected client of the probe's (closed by the runner after the row). */
  newClient(options?: { readPreferenceInUri?: string; maxPoolSize?: number }): Promise<MongoClient>;
  /**
   * What was sent and the raw replies for `command` while `run` ran (the driver does not pass every
   * field of a reply on, e.g. keyPattern of a bulk write's errors). A failed `run` is returned, not thrown.
   */
  capture<T>(command: string, run: () => Promise<T>): Promise<Captured<T>>;
}

export interface Captured<T> {
  value?: T;
  error?: unknown;
  sent: Document[];
  replies: Document[];
}

/** The probe's documents: string ids, any fields (the rows check what the server stored). */
export type Loose = Document & { _id: string };

/** Each row works in collections of its own, so that one row's leftovers never decide another's. */
export function rowCollection<T extends Document = Loose>(ctx: ProbeContext, rowId: string, name = 'initialization'): Collection<T> {
  return ctx.db.collection<T>(`${rowId.replace(/-/g, '_')}__${name}`);
}

export interface Check {
  pass: boolean;
  observed: string;
}

export interface RowDef {
  id: string;
  behaviour: string;
  needs: string;
  doc: string;
  /** Rows that need transactions: skipped on a standalone, where none exist. */
  transactions?: true;
  /** Why the row does not apply to this server (e.g. a command it does not have), or undefined when it does: reported as skipped, never failed. */
  notApplicable?(server: { hello: Document; topology: Topology }): string | undefined;
  run(ctx: ProbeContext): Promise<Check>;
}

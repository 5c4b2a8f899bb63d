import type { Db, MongoClient } from 'mongodb';

/** Import-free, like this whole module's runtime: the console's view schema (lib/console/views.ts) lists these too. */
export const TOPOLOGIES = ['standalone', 'replica-set', 'sharded'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export interface ServerFacts {
  topology: Topology;
  /** Multi-document transactions exist: the holder's batches can be fenced by a transaction. */
  transactions: boolean;
  /**
   * MongoDB 8.0's cross-collection `bulkWrite` command (maxWireVersion 25 or more) with
   * transactions: a transaction's deletes and writes of every collection are then one statement.
   */
  bulkWriteCommand: boolean;
}

/** MongoDB 8.0: the first wire version with the `bulkWrite` command. */
export const BULK_WRITE_WIRE_VERSION = 25;

const known = new WeakMap<MongoClient, Promise<ServerFacts>>();

/** What `hello` says about the deployment: a replica set names its set, a mongos says "isdbgrid". */
export function topologyOf(hello: Record<string, unknown>): Topology {
  if (hello.msg === 'isdbgrid') return 'sharded';
  if (typeof hello.setName === 'string' && hello.setName.length > 0) return 'replica-set';
  return 'standalone';
}

function factsOf(hello: Record<string, unknown>): ServerFacts {
  const topology = topologyOf(hello);
  const transactions = topology !== 'standalone';
  return { topology, transactions, bulkWriteCommand: transactions && Number(hello.maxWireVersion) >= BULK_WRITE_WIRE_VERSION };
}

/** Keeps what a `hello` the process sent anyway says (the server clock's), saving a round trip. */
export function rememberHello(db: Db, hello: Record<string, unknown>): void {
  if (!known.has(db.client)) known.set(db.client, Promise.resolve(factsOf(hello)));
}

/** Asked once per client: the topology does not change under a running process. */
export function serverFacts(db: Db): Promise<ServerFacts> {
  let facts = known.get(db.client);
  if (!facts) {
    facts = db.admin().command({ hello: 1 }).then(factsOf);
    facts.catch(() => known.delete(db.client));
    known.set(db.client, facts);
  }
  return facts;
}

import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, MongoServerError, type ClientSession, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDb, startEmulator, type EmbeddedDb } from '../../lib/db/embedded';

// The emulator's replica-set mode, driven by the official driver connected with ?replicaSet=:
// transactions that commit, roll back, conflict and make other writers wait; retryable writes
// that the server does not run twice.

let server: EmbeddedDb;
const clients: MongoClient[] = [];
let admin: MongoClient;

function connect(appName: string, options: { retryWrites?: boolean; maxPoolSize?: number } = {}, uri = server.uri): MongoClient {
  const client = new MongoClient(uri, {
    appName,
    retryWrites: options.retryWrites ?? false,
    maxPoolSize: options.maxPoolSize ?? 10,
    serverSelectionTimeoutMS: 5_000,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startEmulator({ replSet: 'rs-emu' });
  admin = connect('rs-admin');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await server.stop();
});

async function waiting(command: string): Promise<Document> {
  for (let i = 0; i < 500; i++) {
    const status = await admin.db('admin').command({ failPointStatus: 1 });
    const entry = (status.waiting as Document[]).find((w) => w.command === command);
    if (entry) return entry;
    await sleep(10);
  }
  throw new Error(`no ${command} waiting for a transaction`);
}

async function parked(label: string): Promise<Document> {
  for (let i = 0; i < 500; i++) {
    const status = await admin.db('admin').command({ failPointStatus: 1 });
    const entry = (status.parked as Document[]).find((p) => p.label === label);
    if (entry) return entry;
    await sleep(10);
  }
  throw new Error(`nothing parked under ${label}`);
}

function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** A transaction left open after `body`, for the test to commit or abort; `txDb` is its client's database. */
async function inTransaction(client: MongoClient, body: (session: ClientSession, txDb: Db) => Promise<void>): Promise<ClientSession> {
  const session = client.startSession();
  session.startTransaction({ readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } });
  await body(session, client.db('rs'));
  return session;
}

describe('the replica set as the driver sees it', () => {
  it('startEmbeddedDb({ replSet }) gives a URI with ?replicaSet=', async () => {
    const db = await startEmbeddedDb({ replSet: 'rs-embedded' });
    try {
      expect(db.uri).toMatch(/\?replicaSet=rs-embedded$/);
      const client = connect('rs-embedded', {}, db.uri);
      expect((await client.db('admin').command({ hello: 1 })).setName).toBe('rs-embedded');
      await client.close();
    } finally {
      await db.stop();
    }
  });

  it('prints a replicaSet URI and answers hello as the primary of a one-member set', async () => {
    expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?replicaSet=rs-emu$/);
    const host = server.uri.replace(/^mongodb:\/\/([^/]+)\/.*$/, '$1');
    const hello = await admin.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({
      setName: 'rs-emu',
      hosts: [host],
      me: host,
      primary: host,
      isWritablePrimary: true,
      secondary: false,
      setVersion: 1,
      logicalSessionTimeoutMinutes: 30,
    });
    expect(hello.electionId).toBeDefined();
    expect(hello.topologyVersion).toBeDefined();
    const topology = (admin as unknown as { topology: { description: { type: string } } }).topology.description.type;
    expect(topology).toBe('ReplicaSetWithPrimary');
  });

  it('refuses commitQuorum above one member, accepts majority', async () => {
    const coll = admin.db('rs').collection('quorum');
    await coll.createIndex({ a: 1 }, { commitQuorum: 'majority' });
    await expect(coll.createIndex({ b: 1 }, { commitQuorum: 2 })).rejects.toMatchObject({ code: 278 });
  });
});

describe('transactions', () => {
  it('a committed transaction becomes visible at commit, not before', async () => {
    const coll = admin.db('rs').collection('commit');
    await coll.insertOne({ _id: 'a' as never, n: 0 });
    const session = await inTransaction(connect('rs-commit'), async (s, txDb) => {
      const txColl = txDb.collection('commit');
      await txColl.updateOne({ _id: 'a' as never }, { $set: { n: 1 } }, { session: s });
      await txColl.insertOne({ _id: 'b' as never, n: 2 }, { session: s });
      expect(await txColl.findOne({ _id: 'a' as never }, { session: s })).toEqual({ _id: 'a', n: 1 }); // its own writes
    });
    expect(await coll.find({}).sort({ _id: 1 }).toArray()).toEqual([{ _id: 'a', n: 0 }]); // outside: nothing yet
    await session.commitTransaction();
    await session.endSession();
    expect(await coll.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
    ]);
  });

  it('an aborted transaction leaves nothing behind', async () => {
    const coll = admin.db('rs').collection('abort');
    await coll.insertOne({ _id: 'a' as never, n: 0 });
    const session = await inTransaction(connect('rs-abort'), async (s, txDb) => {
      const txColl = txDb.collection('abort');
      await txColl.updateOne({ _id: 'a' as never }, { $set: { n: 1 } }, { session: s });
      await txColl.insertOne({ _id: 'b' as never }, { session: s });
      await txColl.deleteOne({ _id: 'a' as never }, { session: s });
    });
    await session.abortTransaction();
    await session.endSession();
    expect(await coll.find({}).toArray()).toEqual([{ _id: 'a', n: 0 }]);
  });

  it("withTransaction runs and commits through the driver's own helper", async () => {
    const client = connect('rs-with');
    const session = client.startSession();
    await session.withTransaction(async () => {
      await client
        .db('rs')
        .collection('with')
        .insertOne({ _id: 1 as never }, { session });
      await client
        .db('rs')
        .collection('with2')
        .insertOne({ _id: 2 as never }, { session });
    });
    await session.endSession();
    expect(await admin.db('rs').collection('with').countDocuments({})).toBe(1);
    expect(await admin.db('rs').collection('with2').countDocuments({})).toBe(1);
  });

  it('a second transaction writing a document the first wrote gets WriteConflict (112, TransientTransactionError)', async () => {
    const coll = admin.db('rs').collection('conflict');
    await coll.insertOne({ _id: 'lock' as never, fence: 1 });
    const first = await inTransaction(connect('rs-conflict-1'), async (s, txDb) => {
      await txDb.collection('conflict').updateOne({ _id: 'lock' as never }, { $inc: { fence: 1 } }, { session: s });
    });
    const secondClient = connect('rs-conflict-2');
    const second = secondClient.startSession();
    second.startTransaction();
    const error = await secondClient
      .db('rs')
      .collection('conflict')
      .updateOne({ _id: 'lock' as never }, { $inc: { fence: 10 } }, { session: second })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(112);
    expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    await second.abortTransaction().catch(() => {});
    await second.endSession();
    await first.commitTransaction();
    await first.endSession();
    expect(await coll.findOne({})).toEqual({ _id: 'lock', fence: 2 });
  });

  it('a write outside any transaction to a document an open transaction wrote waits for its commit, then runs', async () => {
    const coll = admin.db('rs').collection<{ _id: string; fence: number; log: string[] }>('wait');
    await coll.insertOne({ _id: 'lock', fence: 1, log: [] });
    const session = await inTransaction(connect('rs-wait-tx'), async (s, txDb) => {
      await txDb
        .collection<{ _id: string; fence: number; log: string[] }>('wait')
        .updateOne({ _id: 'lock' }, { $inc: { fence: 1 }, $push: { log: 'tx' } }, { session: s });
    });
    const outside = connect('rs-wait-out').db('rs').collection<{ _id: string; fence: number; log: string[] }>('wait');
    const write = settle(outside.updateOne({ _id: 'lock' }, { $inc: { fence: 10 }, $push: { log: 'outside' } }));
    expect(await waiting('update')).toMatchObject({ ns: 'rs.wait', appName: 'rs-wait-out' });
    // Reads are not held up, and see the committed document only.
    expect(await coll.findOne({})).toEqual({ _id: 'lock', fence: 1, log: [] });
    await session.commitTransaction();
    await session.endSession();
    expect((await write).error).toBeUndefined();
    expect(await coll.findOne({})).toEqual({ _id: 'lock', fence: 12, log: ['tx', 'outside'] });
  });

  it('a waiting write runs on the committed state when the transaction aborts instead', async () => {
    const coll = admin.db('rs').collection('waitAbort');
    await coll.insertOne({ _id: 'x' as never, n: 1 });
    const session = await inTransaction(connect('rs-wait-abort-tx'), async (s, txDb) => {
      await txDb.collection('waitAbort').deleteOne({ _id: 'x' as never }, { session: s });
    });
    const outside = connect('rs-wait-abort-out').db('rs').collection('waitAbort');
    const write = settle(outside.updateOne({ _id: 'x' as never }, { $inc: { n: 1 } }));
    await waiting('update');
    await session.abortTransaction();
    await session.endSession();
    expect((await write).value).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.findOne({})).toEqual({ _id: 'x', n: 2 });
  });

  it('a transaction writing a document changed outside after it started gets WriteConflict', async () => {
    const coll = admin.db('rs').collection('stale');
    await coll.insertMany([
      { _id: 'a' as never, n: 0 },
      { _id: 'b' as never, n: 0 },
    ]);
    const client = connect('rs-stale');
    const session = await inTransaction(client, async (s, txDb) => {
      await txDb.collection('stale').updateOne({ _id: 'a' as never }, { $set: { n: 1 } }, { session: s });
    });
    await coll.updateOne({ _id: 'b' as never }, { $set: { n: 5 } }); // not held: the transaction has not written b
    const error = await client
      .db('rs')
      .collection('stale')
      .updateOne({ _id: 'b' as never }, { $set: { n: 1 } }, { session })
      .catch((e: unknown) => e);
    expect((error as MongoServerError).code).toBe(112);
    expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    // The failed statement aborted the transaction: its first write is gone too.
    await expect(session.commitTransaction()).rejects.toMatchObject({ code: 251 });
    await session.endSession();
    expect(await coll.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', n: 0 },
      { _id: 'b', n: 5 },
    ]);
  });

  it('reads in a transaction do not see a document another client inserts after the transaction read the collection', async () => {
    const coll = admin.db('rs').collection('snapshot');
    await coll.insertOne({ _id: 1 as never });
    const client = connect('rs-snapshot');
    const session = await inTransaction(client, async (s, txDb) => {
      expect(await txDb.collection('snapshot').countDocuments({}, { session: s })).toBe(1);
    });
    await coll.insertOne({ _id: 2 as never });
    expect(await client.db('rs').collection('snapshot').countDocuments({}, { session })).toBe(1);
    await session.commitTransaction();
    await session.endSession();
  });

  it('a write outside taking a unique key an open transaction wrote waits, then gets E11000 when it commits', async () => {
    const coll = admin.db('rs').collection('uniqueWait');
    await coll.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
    const session = await inTransaction(connect('rs-unique-tx'), async (s, txDb) => {
      await txDb.collection('uniqueWait').insertOne({ _id: 'tx' as never, name: 'penguins' }, { session: s });
    });
    const outside = settle(
      connect('rs-unique-out')
        .db('rs')
        .collection('uniqueWait')
        .insertOne({ _id: 'out' as never, name: 'penguins' }),
    );
    expect(await waiting('insert')).toMatchObject({ ns: 'rs.uniqueWait' });
    expect(await coll.countDocuments({})).toBe(0); // undone while it waits
    await session.commitTransaction();
    await session.endSession();
    const error = (await outside).error as MongoServerError;
    expect(error.code).toBe(11000);
    expect(error.keyValue).toEqual({ name: 'penguins' });
    expect(await coll.find({}).toArray()).toEqual([{ _id: 'tx', name: 'penguins' }]);
  });

  it('... and goes through when that transaction aborts', async () => {
    const coll = admin.db('rs').collection('uniqueAbort');
    await coll.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
    const session = await inTransaction(connect('rs-unique-abort-tx'), async (s, txDb) => {
      await txDb.collection('uniqueAbort').insertOne({ _id: 'tx' as never, name: 'iris' }, { session: s });
    });
    const outside = settle(
      connect('rs-unique-abort-out')
        .db('rs')
        .collection('uniqueAbort')
        .insertOne({ _id: 'out' as never, name: 'iris' }),
    );
    await waiting('insert');
    await session.abortTransaction();
    await session.endSession();
    expect((await outside).error).toBeUndefined();
    expect(await coll.find({}).toArray()).toEqual([{ _id: 'out', name: 'iris' }]);
  });

  it('a transaction taking a unique key committed outside after it started, or one another transaction holds: WriteConflict', async () => {
    const coll = admin.db('rs').collection('uniqueTx');
    await coll.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
    await coll.insertOne({ _id: 'seen' as never, name: 'seen' });
    const client = connect('rs-unique-late');
    const session = await inTransaction(client, async (s, txDb) => {
      expect(await txDb.collection('uniqueTx').countDocuments({}, { session: s })).toBe(1);
    });
    await coll.insertOne({ _id: 'outside' as never, name: 'late' });
    const late = await client
      .db('rs')
      .collection('uniqueTx')
      .insertOne({ _id: 'mine' as never, name: 'late' }, { session })
      .catch((e: unknown) => e);
    expect((late as MongoServerError).code).toBe(112);
    await session.endSession();

    const firstTx = await inTransaction(connect('rs-unique-a'), async (s, txDb) => {
      await txDb.collection('uniqueTx').insertOne({ _id: 'a' as never, name: 'both' }, { session: s });
    });
    const otherClient = connect('rs-unique-b');
    const second = otherClient.startSession();
    second.startTransaction();
    const both = await otherClient
      .db('rs')
      .collection('uniqueTx')
      .insertOne({ _id: 'b' as never, name: 'both' }, { session: second })
      .catch((e: unknown) => e);
    expect((both as MongoServerError).code).toBe(112);
    await second.endSession();
    await firstTx.commitTransaction();
    await firstTx.endSession();
    expect((await coll.find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['a', 'outside', 'seen']);
  });

  it('endSessions and killSessions are accepted; ending a session aborts its open transaction', async () => {
    const coll = admin.db('rs').collection('ended');
    const client = connect('rs-ended');
    const session = await inTransaction(client, async (s, txDb) => {
      await txDb.collection('ended').insertOne({ _id: 'never' as never }, { session: s });
    });
    await admin.db('admin').command({ endSessions: [session.id] });
    await admin.db('admin').command({ killSessions: [] });
    await admin.db('admin').command({ refreshSessions: [] });
    await expect(session.commitTransaction()).rejects.toMatchObject({ code: 251 });
    await session.endSession();
    expect(await coll.countDocuments({})).toBe(0);
  });

  it("reads in a transaction see a collection as of the transaction's start, even one it touches later", async () => {
    const other = admin.db('rs').collection<{ _id: string; n: number }>('snapshotLater');
    await other.insertMany([
      { _id: 'kept', n: 0 },
      { _id: 'deleted', n: 0 },
    ]);
    const client = connect('rs-snapshot-later');
    const session = await inTransaction(client, async (s, txDb) => {
      await txDb.collection('snapshotFirst').insertOne({ _id: 'start' as never }, { session: s }); // starts it
    });
    await other.updateOne({ _id: 'kept' }, { $set: { n: 1 } });
    await other.deleteOne({ _id: 'deleted' });
    await other.insertOne({ _id: 'added', n: 0 });
    const seen = await client.db('rs').collection('snapshotLater').find({}, { session }).sort({ _id: 1 }).toArray();
    expect(seen).toEqual([
      { _id: 'deleted', n: 0 },
      { _id: 'kept', n: 0 },
    ]);
    await session.commitTransaction();
    await session.endSession();
    expect(await other.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'added', n: 0 },
      { _id: 'kept', n: 1 },
    ]);
  });

  it('refuses what a real server refuses in a transaction (listCollections: 263)', async () => {
    const client = connect('rs-refuse');
    const session = client.startSession();
    session.startTransaction();
    await client
      .db('rs')
      .collection('refuse')
      .insertOne({ _id: 1 as never }, { session });
    const error = await client
      .db('rs')
      .command({ listCollections: 1 }, { session })
      .catch((e: unknown) => e);
    expect((error as MongoServerError).code).toBe(263);
    await session.abortTransaction().catch(() => {});
    await session.endSession();
    expect(await admin.db('rs').collection('refuse').countDocuments({})).toBe(0);
  });
});

describe('transactions left open expire', () => {
  let short: EmbeddedDb;
  beforeAll(async () => {
    short = await startEmulator({ replSet: 'rs-short', transactionLifetimeSeconds: 1 });
  });
  afterAll(async () => {
    await short.stop();
  });

  it('aborts a transaction past its lifetime: its writes are gone, its commit fails, waiters run', async () => {
    const client = connect('rs-expire', {}, short.uri);
    const coll = client.db('rs').collection('expire');
    await coll.insertOne({ _id: 'x' as never, n: 0 });
    const session = client.startSession();
    session.startTransaction();
    await coll.updateOne({ _id: 'x' as never }, { $set: { n: 1 } }, { session });
    const outside = settle(
      connect('rs-expire-out', {}, short.uri)
        .db('rs')
        .collection('expire')
        .updateOne({ _id: 'x' as never }, { $inc: { n: 5 } }),
    );
    const started = Date.now();
    expect((await outside).error).toBeUndefined(); // it waited for the expiry, then ran
    expect(Date.now() - started).toBeGreaterThan(300);
    await expect(session.commitTransaction()).rejects.toMatchObject({ code: 251 });
    await session.endSession();
    expect(await coll.findOne({})).toEqual({ _id: 'x', n: 5 });
  });
});

describe('retryable writes', () => {
  const failPoint = (mode: unknown, data: Document) => admin.db('admin').command({ configureFailPoint: 'failCommand', mode, data });

  it('an insert executed, then cut off before its reply, is retried by the driver and stored once', async () => {
    const coll = connect('rs-retry-insert', { retryWrites: true }).db('rs').collection('retryInsert');
    await failPoint({ times: 1 }, { appName: 'rs-retry-insert', failCommands: ['insert'], closeConnectionAfterWrite: true });
    const result = await coll.insertOne({ _id: 'once' as never });
    expect(result.insertedId).toBe('once'); // a second execution would have been a duplicate key
    expect(
      await admin
        .db('rs')
        .collection('retryInsert')
        .countDocuments({ _id: 'once' as never }),
    ).toBe(1);
  });

  it('a retried update is not applied twice', async () => {
    const coll = connect('rs-retry-update', { retryWrites: true }).db('rs').collection('retryUpdate');
    await coll.insertOne({ _id: 'c' as never, n: 0 });
    await failPoint({ times: 1 }, { appName: 'rs-retry-update', failCommands: ['update'], closeConnectionAfterWrite: true });
    const result = await coll.updateOne({ _id: 'c' as never }, { $inc: { n: 1 } });
    expect(result.modifiedCount).toBe(1);
    expect(await coll.findOne({})).toEqual({ _id: 'c', n: 1 });
  });

  it('a retryable error from a fault point carries RetryableWriteError and the retry succeeds', async () => {
    const coll = connect('rs-retry-label', { retryWrites: true }).db('rs').collection('retryLabel');
    await failPoint({ times: 1 }, { appName: 'rs-retry-label', failCommands: ['findAndModify'], errorCode: 189 });
    const before = await coll.findOneAndUpdate({ _id: 'l' as never }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
    expect(before).toEqual({ _id: 'l', n: 1 });
  });

  it('split upsert in replica-set mode: the second of two upserts on the same absent _id gets E11000', async () => {
    const first = connect('rs-split-1').db('rs').collection('split');
    const second = connect('rs-split-2').db('rs').collection('split');
    await failPoint({ times: 1 }, { appName: 'rs-split-1', failCommands: ['findAndModify'], holdUntilReleased: 'rs-split', splitUpsert: true });
    const filter = { _id: 'init_lock' as never, holder: null };
    const stale = settle(first.findOneAndUpdate(filter, { $set: { holder: 'first' } }, { upsert: true }));
    await parked('rs-split');
    await second.findOneAndUpdate(filter, { $set: { holder: 'second' } }, { upsert: true });
    await admin.db('admin').command({ releaseFailPoint: 'rs-split' });
    const error = (await stale).error as MongoServerError;
    expect(error.code).toBe(11000);
    expect(error.keyValue).toEqual({ _id: 'init_lock' });
    expect(await second.findOne({})).toEqual({ _id: 'init_lock', holder: 'second' });
  });
});

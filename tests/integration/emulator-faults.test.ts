import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, MongoServerError, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmbeddedDb } from '../../lib/db/embedded';

// The emulator's fault points, driven as a test would drive a real server's failCommand, over a
// real socket with the official driver. Every client names itself (appName) so that each test's
// fault point touches only its own client.

let server: EmbeddedDb;
const clients: MongoClient[] = [];

beforeAll(async () => {
  server = await startEmulator();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await server.stop();
});

function connect(appName: string, options: { maxPoolSize?: number; retryWrites?: boolean } = {}): MongoClient {
  const client = new MongoClient(server.uri, {
    appName,
    retryWrites: options.retryWrites ?? false,
    retryReads: false,
    maxPoolSize: options.maxPoolSize ?? 10,
    serverSelectionTimeoutMS: 5_000,
  });
  clients.push(client);
  return client;
}

const admin = () => connect('faults-admin');
let adminClient: MongoClient;
beforeAll(() => {
  adminClient = admin();
});

function failPoint(mode: unknown, data: Document): Promise<Document> {
  return adminClient.db('admin').command({ configureFailPoint: 'failCommand', mode, data });
}

async function parked(label: string): Promise<Document> {
  for (let i = 0; i < 500; i++) {
    const status = await adminClient.db('admin').command({ failPointStatus: 1 });
    const entry = (status.parked as Document[]).find((p) => p.label === label);
    if (entry) return entry;
    await sleep(10);
  }
  throw new Error(`nothing parked under ${label}`);
}

const release = (label: string) => adminClient.db('admin').command({ releaseFailPoint: label });

/** Settles a promise into a value or the error, so a test can look at either. */
function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; done: true }> {
  return promise.then(
    (value) => ({ value, done: true as const }),
    (error: unknown) => ({ error, done: true as const }),
  );
}

describe('failCommand: errors, counts and scope', () => {
  it('fails the named command with errorCode, errmsg and errorLabels, {times: 1} once only', async () => {
    const client = connect('fp-times');
    const coll = client.db('faults').collection('times');
    await failPoint(
      { times: 1 },
      {
        appName: 'fp-times',
        failCommands: ['insert'],
        errorCode: 91,
        errmsg: 'shutting down (injected)',
        errorLabels: ['RetryableWriteError'],
      },
    );
    const error = await coll.insertOne({ _id: 'a' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(91);
    expect((error as MongoServerError).message).toBe('shutting down (injected)');
    expect((error as MongoServerError).hasErrorLabel('RetryableWriteError')).toBe(true);
    expect(await coll.countDocuments({})).toBe(0); // not executed
    await coll.insertOne({ _id: 'a' as never });
    expect(await coll.countDocuments({})).toBe(1);
  });

  it('{skip: N} lets N commands through, then fails every one', async () => {
    const client = connect('fp-skip');
    const coll = client.db('faults').collection('skip');
    await failPoint({ skip: 2 }, { appName: 'fp-skip', failCommands: ['find'], errorCode: 2 });
    await coll.findOne({});
    await coll.findOne({});
    for (let i = 0; i < 3; i++) {
      await expect(coll.findOne({})).rejects.toMatchObject({ code: 2 });
    }
    await failPoint('off', { appName: 'fp-skip' });
    expect(await coll.findOne({})).toBeNull();
  });

  it('keeps one configuration per appName; off with an appName removes only that one', async () => {
    const one = connect('fp-app-one').db('faults').collection('apps');
    const two = connect('fp-app-two').db('faults').collection('apps');
    const other = connect('fp-app-other').db('faults').collection('apps');
    await failPoint('alwaysOn', { appName: 'fp-app-one', failCommands: ['find'], errorCode: 11600 });
    await failPoint('alwaysOn', { appName: 'fp-app-two', failCommands: ['find'], errorCode: 13436 });
    await expect(one.findOne({})).rejects.toMatchObject({ code: 11600 });
    await expect(two.findOne({})).rejects.toMatchObject({ code: 13436 });
    expect(await other.findOne({})).toBeNull();
    await failPoint('off', { appName: 'fp-app-one' });
    expect(await one.findOne({})).toBeNull();
    await expect(two.findOne({})).rejects.toMatchObject({ code: 13436 });
    await failPoint('off', {});
    expect(await two.findOne({})).toBeNull();
  });

  it('rejects a mode it does not know', async () => {
    await expect(failPoint({ sometimes: 1 }, { failCommands: ['find'] })).rejects.toMatchObject({ code: 2 });
  });
});

describe('failCommand: connections', () => {
  it('closeConnection closes the socket without executing the command', async () => {
    const client = connect('fp-close');
    const coll = client.db('faults').collection('close');
    await failPoint({ times: 1 }, { appName: 'fp-close', failCommands: ['insert'], closeConnection: true });
    const error = await coll.insertOne({ _id: 'c' as never }).catch((e: unknown) => e);
    expect((error as Error).name).toMatch(/MongoNetworkError|MongoServerSelectionError/);
    expect(await coll.countDocuments({})).toBe(0);
  });

  it('closeConnectionAfterWrite (emulator extension) executes the write, then closes without a reply', async () => {
    const client = connect('fp-close-after');
    const coll = client.db('faults').collection('closeAfter');
    await failPoint({ times: 1 }, { appName: 'fp-close-after', failCommands: ['insert'], closeConnectionAfterWrite: true });
    const error = await coll.insertOne({ _id: 'w' as never }).catch((e: unknown) => e);
    expect((error as Error).name).toMatch(/MongoNetworkError/);
    expect(await coll.countDocuments({ _id: 'w' as never })).toBe(1); // the ambiguous write happened
  });

  it('blockConnection holds the command, not executed, while other connections run; then runs it', async () => {
    const blocked = connect('fp-block').db('faults').collection('block');
    const reader = connect('fp-block-reader').db('faults').collection('block');
    await failPoint({ times: 1 }, { appName: 'fp-block', failCommands: ['insert'], blockConnection: true, blockTimeMS: 700 });
    const started = Date.now();
    const insert = settle(blocked.insertOne({ _id: 'b' as never }));
    await sleep(100);
    // The loop serves other connections while the insert is held, and the insert has not run.
    for (let i = 0; i < 5; i++) expect(await reader.findOne({ _id: 'b' as never })).toBeNull();
    expect(Date.now() - started).toBeLessThan(600);
    const outcome = await insert;
    expect(outcome.error).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(await reader.countDocuments({ _id: 'b' as never })).toBe(1);
  });

  it('blockConnection with errorCode fails the command after the wait, without executing it', async () => {
    const blocked = connect('fp-block-fail').db('faults').collection('blockFail');
    await failPoint(
      { times: 1 },
      {
        appName: 'fp-block-fail',
        failCommands: ['insert'],
        blockConnection: true,
        blockTimeMS: 300,
        errorCode: 10107,
      },
    );
    const started = Date.now();
    await expect(blocked.insertOne({ _id: 'x' as never })).rejects.toMatchObject({ code: 10107 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(await blocked.countDocuments({})).toBe(0);
  });

  it('writeConcernError comes back after a write that succeeded', async () => {
    const coll = connect('fp-wce').db('faults').collection('wce');
    await failPoint(
      { times: 1 },
      {
        appName: 'fp-wce',
        failCommands: ['insert'],
        writeConcernError: { code: 64, codeName: 'WriteConcernFailed', errmsg: 'waiting for replication timed out', errInfo: { wtimeout: true } },
      },
    );
    const error = await coll.insertOne({ _id: 'wce' as never }, { writeConcern: { w: 'majority', wtimeoutMS: 100 } }).catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(64);
    expect((error as Error).name).toBe('MongoWriteConcernError');
    expect(await coll.countDocuments({ _id: 'wce' as never })).toBe(1);
  });
});

describe('holdUntilReleased (emulator extension)', () => {
  it('parks a command, not executed, until released; later commands on its connection wait behind it', async () => {
    const client = connect('fp-hold', { maxPoolSize: 1 });
    const coll = client.db('faults').collection('hold');
    const reader = connect('fp-hold-reader').db('faults').collection('hold');
    await failPoint({ times: 1 }, { appName: 'fp-hold', failCommands: ['insert'], holdUntilReleased: 'hold-insert' });
    const insert = settle(coll.insertOne({ _id: 'h' as never, n: 1 }));
    const entry = await parked('hold-insert');
    expect(entry).toMatchObject({ label: 'hold-insert', command: 'insert', appName: 'fp-hold', ns: 'faults.hold' });
    // Same client, one connection: this find queues behind the parked insert.
    let findDone = false;
    const find = coll.findOne({ _id: 'h' as never }).then((doc) => {
      findDone = true;
      return doc;
    });
    await sleep(150);
    expect(await reader.findOne({ _id: 'h' as never })).toBeNull(); // other connections run; the insert has not
    expect(findDone).toBe(false);
    expect((await release('hold-insert')).released).toBe(1);
    expect((await insert).error).toBeUndefined();
    expect(await find).toMatchObject({ _id: 'h', n: 1 }); // ran after the insert, in order
    const status = await adminClient.db('admin').command({ failPointStatus: 1 });
    expect((status.parked as Document[]).some((p) => p.label === 'hold-insert')).toBe(false);
  });
});

describe("splitUpsert (emulator extension): another client runs between an upsert's match and its insert", () => {
  it('update: the parked upsert collides with E11000 on _id when the other inserted first', async () => {
    const first = connect('fp-split-update').db('faults').collection('splitUpdate');
    const second = connect('fp-split-update-2').db('faults').collection('splitUpdate');
    await failPoint(
      { times: 1 },
      {
        appName: 'fp-split-update',
        failCommands: ['update'],
        holdUntilReleased: 'split-update',
        splitUpsert: true,
      },
    );
    // Not pure equality on _id: a real server does not retry this upsert's duplicate key as an update.
    const filter = { _id: 'lock' as never, holder: null };
    const stale = settle(first.updateOne(filter, { $set: { holder: 'first' } }, { upsert: true }));
    expect(await parked('split-update')).toMatchObject({ command: 'update', ns: 'faults.splitUpdate' });
    expect(await first.countDocuments({})).toBe(0); // matched nothing, inserted nothing yet
    const winner = await second.updateOne(filter, { $set: { holder: 'second' } }, { upsert: true });
    expect(winner.upsertedId).toBe('lock');
    await release('split-update');
    const outcome = await stale;
    const error = outcome.error as MongoServerError;
    expect(error.code).toBe(11000);
    expect(error.message).toBe('E11000 duplicate key error collection: faults.splitUpdate index: _id_ dup key: { _id: "lock" }');
    expect(error.errorResponse.keyPattern ?? (error as unknown as Document).keyPattern).toEqual({ _id: 1 });
    expect(error.errorResponse.keyValue ?? (error as unknown as Document).keyValue).toEqual({ _id: 'lock' });
    expect(await second.findOne({})).toEqual({ _id: 'lock', holder: 'second' });
  });

  it('findAndModify: the parked upsert gets E11000 with keyPattern and keyValue', async () => {
    const first = connect('fp-split-fam').db('faults').collection('splitFam');
    const second = connect('fp-split-fam-2').db('faults').collection('splitFam');
    await failPoint(
      { times: 1 },
      {
        appName: 'fp-split-fam',
        failCommands: ['findAndModify'],
        holdUntilReleased: 'split-fam',
        splitUpsert: true,
      },
    );
    const filter = { _id: 'init_lock' as never, $or: [{ holder: null }, { expires: { $lt: 5 } }] };
    const stale = settle(first.findOneAndUpdate(filter, { $set: { holder: 'first' }, $inc: { fence: 1 } }, { upsert: true }));
    expect(await parked('split-fam')).toMatchObject({ command: 'findAndModify', appName: 'fp-split-fam' });
    await second.findOneAndUpdate(filter, { $set: { holder: 'second' }, $inc: { fence: 1 } }, { upsert: true });
    await release('split-fam');
    const error = (await stale).error as MongoServerError;
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error.code).toBe(11000);
    expect(error.keyPattern).toEqual({ _id: 1 });
    expect(error.keyValue).toEqual({ _id: 'init_lock' });
    expect(await second.findOne({})).toEqual({ _id: 'init_lock', holder: 'second', fence: 1 });
  });

  it('an equality-only upsert on _id is retried as an update, as a real server does', async () => {
    const first = connect('fp-split-eq').db('faults').collection('splitEq');
    const second = connect('fp-split-eq-2').db('faults').collection('splitEq');
    await failPoint(
      { times: 1 },
      {
        appName: 'fp-split-eq',
        failCommands: ['update'],
        holdUntilReleased: 'split-eq',
        splitUpsert: true,
      },
    );
    const stale = settle(first.updateOne({ _id: 'k' as never }, { $inc: { n: 1 } }, { upsert: true }));
    await parked('split-eq');
    await second.updateOne({ _id: 'k' as never }, { $inc: { n: 1 } }, { upsert: true });
    await release('split-eq');
    const outcome = await stale;
    expect(outcome.error).toBeUndefined();
    expect(outcome.value).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    expect(await second.findOne({})).toEqual({ _id: 'k', n: 2 });
  });

  it('an upsert that matches a document is not split', async () => {
    const coll = connect('fp-split-match').db('faults').collection('splitMatch');
    await coll.insertOne({ _id: 'm' as never, n: 0 });
    await failPoint(
      { times: 1 },
      {
        appName: 'fp-split-match',
        failCommands: ['update'],
        holdUntilReleased: 'split-match',
        splitUpsert: true,
      },
    );
    await coll.updateOne({ _id: 'm' as never, n: 0 }, { $inc: { n: 1 } }, { upsert: true });
    expect(await coll.findOne({})).toEqual({ _id: 'm', n: 1 });
    const status = await adminClient.db('admin').command({ failPointStatus: 1 });
    expect((status.parked as Document[]).some((p) => p.label === 'split-match')).toBe(false);
    await failPoint('off', { appName: 'fp-split-match' });
  });
});

import { MongoBulkWriteError, MongoClient, MongoServerError, UUID, type Collection, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmbeddedDb } from '../../lib/db/embedded';

// What the emulator answers like a real server (duplicate keys, index conflicts) and what it
// refuses instead of silently doing something else. Standalone mode, its default.

let server: EmbeddedDb;
let client: MongoClient;
let n = 0;
const fresh = (): Collection<Document> => client.db('errors').collection(`c${++n}`);

beforeAll(async () => {
  server = await startEmulator();
  client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5_000 });
});

afterAll(async () => {
  await client.close();
  await server.stop();
});

async function rejection(promise: Promise<unknown>): Promise<MongoServerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MongoServerError);
  return error as MongoServerError;
}

describe('duplicate keys, as a real server reports them', () => {
  it("insert on an existing _id: 11000, the server's errmsg, keyPattern and keyValue", async () => {
    const coll = fresh();
    await coll.insertOne({ _id: 'init_lock' as never });
    const error = await rejection(coll.insertOne({ _id: 'init_lock' as never }));
    expect(error.code).toBe(11000);
    expect(error.message).toBe(`E11000 duplicate key error collection: errors.${coll.collectionName} index: _id_ dup key: { _id: "init_lock" }`);
    expect(error.keyPattern).toEqual({ _id: 1 });
    expect(error.keyValue).toEqual({ _id: 'init_lock' });
  });

  it('a unique secondary index, in insert and in update write errors', async () => {
    const coll = fresh();
    await coll.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
    await coll.insertMany([
      { _id: 1 as never, email: 'a@x' },
      { _id: 2 as never, email: 'b@x' },
    ]);
    const insert = await rejection(coll.insertOne({ _id: 3 as never, email: 'a@x' }));
    expect(insert.code).toBe(11000);
    expect(insert.message).toContain(`index: email_unique dup key: { email: "a@x" }`);
    expect(insert.keyPattern).toEqual({ email: 1 });
    expect(insert.keyValue).toEqual({ email: 'a@x' });

    const update = await rejection(coll.updateOne({ _id: 2 as never }, { $set: { email: 'a@x' } }));
    expect(update.code).toBe(11000);
    expect(update.keyPattern).toEqual({ email: 1 });
    expect(update.keyValue).toEqual({ email: 'a@x' });
    expect(await coll.findOne({ _id: 2 as never })).toEqual({ _id: 2, email: 'b@x' }); // rolled back
  });

  it('unordered bulk inserts: one write error per duplicate, with its index and key', async () => {
    const coll = fresh();
    await coll.insertOne({ _id: 1 as never });
    const error = await coll.insertMany([{ _id: 1 as never }, { _id: 2 as never }, { _id: 2 as never }], { ordered: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const errors = (error as MongoBulkWriteError).writeErrors as unknown as { index: number; code: number; errInfo?: unknown }[];
    const list = Array.isArray(errors) ? errors : [errors];
    expect(list.map((e) => [e.index, e.code])).toEqual([
      [0, 11000],
      [2, 11000],
    ]);
    expect((error as MongoBulkWriteError).insertedCount).toBe(1);
  });

  it('findAndModify upsert onto a unique secondary key: an error reply with keyPattern and keyValue', async () => {
    const coll = fresh();
    await coll.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
    await coll.insertOne({ _id: 'p1' as never, name: 'penguins' });
    const error = await rejection(coll.findOneAndUpdate({ _id: 'p2' as never }, { $set: { name: 'penguins' } }, { upsert: true }));
    expect(error.code).toBe(11000);
    expect(error.codeName).toBe('DuplicateKey');
    expect(error.keyPattern).toEqual({ name: 1 });
    expect(error.keyValue).toEqual({ name: 'penguins' });
    expect(await coll.countDocuments({})).toBe(1);
  });

  it('an upsert whose _id exists but does not match the rest of the filter: E11000 on _id', async () => {
    const coll = fresh();
    await coll.insertOne({ _id: 'init_lock' as never, holder: 'w1' });
    const error = await rejection(coll.findOneAndUpdate({ _id: 'init_lock' as never, holder: null }, { $set: { holder: 'w2' } }, { upsert: true }));
    expect(error.code).toBe(11000);
    expect(error.keyPattern).toEqual({ _id: 1 });
    expect(error.keyValue).toEqual({ _id: 'init_lock' });
  });
});

describe('indexes', () => {
  it('the same index again is a no-op; the same key under another name is 85; the same name with another key is 86', async () => {
    const coll = fresh();
    await coll.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
    await coll.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
    const otherName = await rejection(coll.createIndex({ name: 1 }, { unique: true, name: 'name_1' }));
    expect(otherName.code).toBe(85);
    expect(otherName.codeName).toBe('IndexOptionsConflict');
    expect(otherName.message).toBe('Index already exists with a different name: name_unique');
    const otherKey = await rejection(coll.createIndex({ title: 1 }, { name: 'name_unique' }));
    expect(otherKey.code).toBe(86);
    expect(otherKey.codeName).toBe('IndexKeySpecsConflict');
    const otherOptions = await rejection(coll.createIndex({ name: 1 }, { name: 'name_unique' }));
    expect(otherOptions.code).toBe(85);
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_', 'name_unique']);
  });

  it('dropping a missing index: 27 IndexNotFound; on a missing collection: 26 NamespaceNotFound', async () => {
    const coll = fresh();
    await coll.insertOne({ _id: 1 as never });
    expect((await rejection(coll.dropIndex('nope_1'))).code).toBe(27);
    expect((await rejection(fresh().dropIndex('nope_1'))).code).toBe(26);
  });

  it('refuses TTL indexes: it would never expire a document', async () => {
    const coll = fresh();
    const error = await rejection(coll.createIndex({ expires_at: 1 }, { expireAfterSeconds: 0, name: 'expires_ttl' }));
    expect(error.code).toBe(238);
    expect(error.message).toMatch(/TTL.*expireAfterSeconds/);
    expect((await coll.indexes().catch(() => [])).map((i) => i.name)).not.toContain('expires_ttl');
  });

  it('refuses index options it does not implement', async () => {
    const error = await rejection(fresh().createIndex({ a: 1 }, { collation: { locale: 'fr', strength: 2 } }));
    expect(error.code).toBe(238);
    expect(error.message).toContain('collation');
  });

  it("commitQuorum on a standalone: the real standalone's refusal", async () => {
    const coll = fresh();
    const error = await rejection(coll.createIndex({ a: 1 }, { commitQuorum: 'majority' }));
    expect(error.code).toBe(2);
    expect(error.codeName).toBe('BadValue');
    expect(error.message).toBe("Standalones can't specify commitQuorum");
  });
});

describe('refusals', () => {
  it('a transaction against the standalone: 20 IllegalOperation, as a real standalone', async () => {
    // The driver refuses client-side when it sees a standalone; another client (or a driver that
    // believes the URI) sends the commands, and the server must refuse them.
    const coll = fresh();
    const lsid = { id: new UUID() };
    const error = await rejection(
      client.db('errors').command({
        insert: coll.collectionName,
        documents: [{ _id: 't' }],
        lsid,
        txnNumber: 1,
        startTransaction: true,
        autocommit: false,
      }),
    );
    expect(error.code).toBe(20);
    expect(error.codeName).toBe('IllegalOperation');
    expect(error.message).toBe('Transaction numbers are only allowed on a replica set member or mongos');
    const commit = await rejection(client.db('admin').command({ commitTransaction: 1, lsid, txnNumber: 1, autocommit: false }));
    expect(commit.code).toBe(20);
    expect(await coll.countDocuments({})).toBe(0);
  });

  it('a txnNumber without a transaction (a retryable write sent to a standalone) is refused the same way', async () => {
    const reply = await client
      .db('errors')
      .command({ insert: fresh().collectionName, documents: [{ _id: 1 }], lsid: { id: new UUID() }, txnNumber: 1 })
      .catch((e: unknown) => e);
    expect((reply as MongoServerError).code).toBe(20);
  });

  it('$$NOW and $$CLUSTER_TIME anywhere in a command: refused, not dropped', async () => {
    const coll = fresh();
    await coll.insertOne({ _id: 1 as never, at: new Date(0) });
    const inFind = await rejection(coll.find({ $expr: { $lt: ['$at', '$$NOW'] } }).toArray());
    expect(inFind.code).toBe(238);
    expect(inFind.message).toContain('$$NOW');
    const inAggregate = await rejection(coll.aggregate([{ $set: { t: '$$CLUSTER_TIME' } }]).toArray());
    expect(inAggregate.code).toBe(238);
    const inUpdate = await rejection(coll.updateOne({ _id: 1 as never }, [{ $set: { at: '$$NOW' } }]));
    expect(inUpdate.code).toBe(238);
    expect(await coll.findOne({})).toEqual({ _id: 1, at: new Date(0) });
  });

  it('a write concern one member cannot satisfy: refused before the write, not silently accepted', async () => {
    const coll = fresh();
    const two = await rejection(coll.insertOne({ _id: 1 as never }, { writeConcern: { w: 2 } }));
    expect(two.code).toBe(100);
    const tag = await rejection(client.db('errors').command({ insert: coll.collectionName, documents: [{ _id: 1 }], writeConcern: { w: 'dc-east' } }));
    expect(tag.code).toBe(79);
    await coll.insertOne({ _id: 1 as never }, { writeConcern: { w: 'majority', journal: true, wtimeoutMS: 1000 } });
    expect(await coll.countDocuments({})).toBe(1);
  });

  it('pipeline updates and arrayFilters: refused', async () => {
    const coll = fresh();
    await coll.insertOne({ _id: 1 as never, a: [1, 2] });
    const pipeline = await rejection(coll.updateOne({ _id: 1 as never }, [{ $set: { b: 1 } }]));
    expect(pipeline.code).toBe(238);
    expect(pipeline.message).toContain('pipeline');
    const filters = await rejection(coll.updateOne({ _id: 1 as never }, { $set: { 'a.$[x]': 0 } }, { arrayFilters: [{ x: 1 }] }));
    expect(filters.message).toContain('arrayFilters');
    const famPipeline = await rejection(coll.findOneAndUpdate({ _id: 1 as never }, [{ $set: { b: 1 } }]));
    expect(famPipeline.code).toBe(238);
    expect(await coll.findOne({})).toEqual({ _id: 1, a: [1, 2] });
  });
});

import { MongoClient, type CommandStartedEvent, type Document } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../lib/db/client';
import { DASHBOARDS, DELTATABLES, GROUPS, INIT_HISTORY, INITIALIZATION, MULTIQC, PROJECTS, USERS } from '../../lib/db/collections';
import { startEmbeddedDb, startEmulator, type EmbeddedDb } from '../../lib/db/embedded';
import { runWorker } from '../../lib/init/run-worker';
import { mongoUri, useTestDb } from '../support/db';
import { testWorkerOptions } from '../support/worker-options';

/**
 * The commands the product sends, pinned through the driver's command monitoring: the emulator
 * accepts what it does not enforce (concerns, read preference), so these tests are what fails if
 * anyone narrows the acquire filter to `{_id}`, drops a write concern or a fence predicate.
 */
const { dbName } = useTestDb(import.meta.url);
const PRODUCT = [INITIALIZATION, INIT_HISTORY, USERS, GROUPS, PROJECTS, DELTATABLES, MULTIQC, DASHBOARDS];
const SEEDED = [USERS, GROUPS, PROJECTS, DELTATABLES, MULTIQC, DASHBOARDS];
const WRITES = ['insert', 'update', 'delete', 'findAndModify', 'bulkWrite', 'createIndexes'];
const MAJORITY = { w: 'majority', j: true, wtimeout: 10_000 };
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** Runs one worker (wipe and seed) on a plain client, no options of the product's, and records what it sent. */
async function recordRun(uri: string, database: string, generation: string): Promise<CommandStartedEvent[]> {
  const client = await new MongoClient(uri, { monitorCommands: true }).connect();
  closers.push(() => client.close());
  // Something to wipe first.
  await client
    .db(database)
    .collection('leftovers')
    .insertMany([{ a: 1 }, { a: 2 }]);
  const sent: CommandStartedEvent[] = [];
  client.on('commandStarted', (event) => {
    if (event.databaseName === database || event.databaseName === 'admin') sent.push(event);
  });
  expect(await runWorker(client.db(database), await testWorkerOptions(`shape-${generation}`, generation))).toMatchObject({ outcome: 'acquired' });
  return sent;
}

const target = (e: CommandStartedEvent): string => String(e.command[e.commandName] ?? '');
/** The collections a command writes: MongoDB 8.0's `bulkWrite` (sent to admin) names them in `nsInfo`. */
const targets = (e: CommandStartedEvent): string[] =>
  e.commandName === 'bulkWrite' ? ((e.command.nsInfo ?? []) as Array<{ ns: string }>).map((n) => n.ns.slice(n.ns.indexOf('.') + 1)) : [target(e)];
const statements = (e: CommandStartedEvent): Document[] => (e.command.updates ?? e.command.deletes ?? []) as Document[];
const inTransaction = (e: CommandStartedEvent) => e.command.autocommit === false;

function expectAcquireShape(sent: CommandStartedEvent[]) {
  const acquire = sent.find((e) => e.commandName === 'findAndModify' && target(e) === INITIALIZATION && e.command.upsert === true);
  expect(acquire, 'an acquire was sent').toBeDefined();
  const query = acquire!.command.query as Document;
  expect(query._id).toBe('init_lock');
  // Not pure equality: the server must never turn the duplicate-key upsert into an update.
  expect(Object.keys(query).length).toBeGreaterThan(1);
  expect(query.$or).toEqual([{ holder: null }, { lease_expires_at: { $lte: expect.any(Date) } }]);
  expect(query.completed_generations).toEqual({ $ne: expect.any(String) });
  expect(acquire!.command.new).toBe(false);
  expect(acquire!.command.update).toMatchObject({ $inc: { fence: 1 } });
  expect(acquire!.command.writeConcern).toEqual(MAJORITY);
}

function expectFencedSeedWrites(sent: CommandStartedEvent[]) {
  const seedWrites = sent.filter((e) => e.commandName === 'update' && SEEDED.includes(target(e)));
  expect(seedWrites.map(target).sort()).toEqual([...SEEDED].sort());
  for (const write of seedWrites) {
    expect(write.command.ordered, target(write)).toBe(false);
    for (const statement of statements(write)) {
      expect(statement.upsert).toBe(true);
      expect(statement.q._id).toBeDefined();
      expect(statement.q.$or).toEqual([{ seeded_fence: { $exists: false } }, { seeded_fence: { $lte: expect.any(Number) } }]);
    }
  }
  const deletes = sent.filter((e) => e.commandName === 'delete');
  expect(deletes.length).toBeGreaterThan(0);
  for (const statement of deletes.flatMap(statements)) {
    // Only what existed when the wipe began, and only what is older than the holder's fence.
    expect(statement.q._id).toEqual({ $in: expect.any(Array) });
    expect(statement.q.$or).toEqual([{ seeded_fence: { $exists: false } }, { seeded_fence: { $lt: expect.any(Number) } }]);
  }
  expect(sent.filter((e) => ['drop', 'dropDatabase'].includes(e.commandName))).toEqual([]);
}

function expectConcerns(sent: CommandStartedEvent[]) {
  for (const write of sent.filter((e) => WRITES.includes(e.commandName) && targets(e).some((t) => PRODUCT.includes(t)) && !inTransaction(e))) {
    expect(write.command.writeConcern, `${write.commandName} ${targets(write).join(', ')}`).toEqual(MAJORITY);
  }
  const polls = sent.filter((e) => e.commandName === 'find' && target(e) === INITIALIZATION && !inTransaction(e));
  expect(polls.length).toBeGreaterThan(0);
  for (const poll of polls) expect(poll.command.readConcern).toEqual({ level: 'majority' });
  for (const e of sent) {
    const mode = (e.command.$readPreference as { mode?: string } | undefined)?.mode;
    if (mode !== undefined) expect(mode, e.commandName).toBe('primary');
  }
}

describe('the commands a worker sends (standalone)', () => {
  it('acquire, fenced seed writes and deletes, concerns on every lock, state and seed write, no transactions', async () => {
    const sent = await recordRun(mongoUri(), dbName, 'g-shape');
    expectAcquireShape(sent);
    expectFencedSeedWrites(sent);
    expectConcerns(sent);
    // A standalone has no transactions: none is started, and index builds ask for no quorum.
    expect(sent.filter((e) => e.command.startTransaction || ['commitTransaction', 'abortTransaction'].includes(e.commandName))).toEqual([]);
    for (const build of sent.filter((e) => e.commandName === 'createIndexes')) expect(build.command.commitQuorum).toBeUndefined();
  });

  it("the product's client reads from the primary with majority concerns, whatever the URI says", async () => {
    const client = await connect({ uri: `${mongoUri()}/?readPreference=secondaryPreferred&w=1&journal=false&readConcernLevel=local`, timeoutMs: 5_000 });
    closers.push(() => client.close());
    expect(client.readPreference.mode).toBe('primary');
    expect(client.readConcern?.level).toBe('majority');
    expect(client.writeConcern).toMatchObject({ w: 'majority', journal: true });
  });
});

describe('the commands a worker sends (replica set)', () => {
  let rs: EmbeddedDb | undefined;
  closers.push(async () => rs?.stop());

  it('every wipe and seed batch is a transaction whose first statement writes the lock on holder and fence', async () => {
    rs = await startEmbeddedDb({ replSet: 'rs0' });
    const sent = await recordRun(rs.uri, `${dbName}_rs`, 'g-shape-rs');
    expectAcquireShape(sent);
    expectFencedSeedWrites(sent);
    expectConcerns(sent);
    const batches = new Map<string, CommandStartedEvent[]>();
    for (const e of sent.filter((c) => c.command.txnNumber !== undefined && (inTransaction(c) || c.commandName === 'commitTransaction'))) {
      const key = `${JSON.stringify(e.command.lsid)}:${String(e.command.txnNumber)}`;
      batches.set(key, [...(batches.get(key) ?? []), e]);
    }
    // The wipe and the seeding: one transaction, committed once (its statements are round trips in
    // a row, so each transaction less is a lock statement and a commit less).
    expect(batches.size).toBe(1);
    for (const commands of batches.values()) {
      const [first, ...rest] = commands;
      expect(first!.command.startTransaction).toBe(true);
      expect(first!.commandName).toBe('update');
      expect(target(first!)).toBe(INITIALIZATION);
      expect(statements(first!)[0]!.q).toEqual({ _id: 'init_lock', 'holder.worker_id': 'shape-g-shape-rs', fence: expect.any(Number) });
      const commit = rest.at(-1)!;
      expect(commit.commandName).toBe('commitTransaction');
      expect(commit.command.writeConcern).toMatchObject({ w: 'majority', j: true });
      for (const statement of rest.slice(0, -1)) expect(statement.command.writeConcern).toBeUndefined();
    }
    for (const build of sent.filter((e) => e.commandName === 'createIndexes')) expect(build.command.commitQuorum).toBe('majority');
  });
});

describe('the commands a worker sends (replica set, MongoDB 8.0)', () => {
  let rs8: EmbeddedDb | undefined;
  closers.push(async () => rs8?.stop());

  it('the wipe and seed transaction is the lock write, ONE bulkWrite to admin with no write concern of its own, and a majority commit', async () => {
    rs8 = await startEmulator({ replSet: 'rs8', wireVersion: 25 });
    const sent = await recordRun(rs8.uri, `${dbName}_rs8`, 'g-shape-rs8');
    expectAcquireShape(sent);
    expectConcerns(sent);
    const transactional = sent.filter((c) => c.command.txnNumber !== undefined && (inTransaction(c) || c.commandName === 'commitTransaction'));
    const keys = new Set(transactional.map((e) => `${JSON.stringify(e.command.lsid)}:${String(e.command.txnNumber)}`));
    expect(keys.size).toBe(1);
    expect(transactional.map((e) => e.commandName)).toEqual(['update', 'bulkWrite', 'commitTransaction']);
    const [lock, bulk, commit] = transactional as [CommandStartedEvent, CommandStartedEvent, CommandStartedEvent];
    expect(lock.command.startTransaction).toBe(true);
    expect(target(lock)).toBe(INITIALIZATION);
    expect(statements(lock)[0]!.q).toEqual({ _id: 'init_lock', 'holder.worker_id': 'shape-g-shape-rs8', fence: expect.any(Number) });

    expect(bulk.databaseName).toBe('admin');
    expect(bulk.command.autocommit).toBe(false);
    expect(bulk.command.startTransaction).toBeUndefined();
    // A transaction's statements carry none: the write concern belongs to the commit.
    expect(bulk.command.writeConcern).toBeUndefined();
    expect(bulk.command.ordered).toBe(true);
    const namespaces = targets(bulk);
    const ops = bulk.command.ops as Document[];
    const deletes = ops.filter((op) => op.delete !== undefined);
    const upserts = ops.filter((op) => op.update !== undefined);
    expect(deletes.length + upserts.length).toBe(ops.length);
    // The deletes first (the wipe), then the seed writes.
    expect(ops.findIndex((op) => op.update !== undefined)).toBe(deletes.length);
    expect(deletes.map((op) => namespaces[op.delete as number])).toContain('leftovers');
    for (const op of deletes) {
      expect(op.multi).toBe(true);
      expect(op.filter._id).toEqual({ $in: expect.any(Array) });
      expect(op.filter.$or).toEqual([{ seeded_fence: { $exists: false } }, { seeded_fence: { $lt: expect.any(Number) } }]);
    }
    expect([...new Set(upserts.map((op) => namespaces[op.update as number]))].sort()).toEqual([...SEEDED].sort());
    for (const op of upserts) {
      expect(op.upsert).toBe(true);
      expect(op.filter._id).toBeDefined();
      expect(op.filter.$or).toEqual([{ seeded_fence: { $exists: false } }, { seeded_fence: { $lte: expect.any(Number) } }]);
    }
    // Nothing of the wipe or the seed is sent per collection any more.
    expect(sent.filter((e) => ['update', 'delete'].includes(e.commandName) && [...SEEDED, 'leftovers'].includes(target(e)))).toEqual([]);

    expect(commit.commandName).toBe('commitTransaction');
    expect(commit.command.writeConcern).toMatchObject({ w: 'majority', j: true });
    for (const build of sent.filter((e) => e.commandName === 'createIndexes')) expect(build.command.commitQuorum).toBe('majority');
  });
});

import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialDepth, startLatencyProxy, type Flight, type LatencyProxy } from '../../bench/latency-proxy';
import { clientOptions } from '../../lib/db/client';
import { INITIALIZATION } from '../../lib/db/collections';
import { startEmulator, type EmbeddedDb } from '../../lib/db/embedded';
import { runWorker } from '../../lib/init/run-worker';
import { mongoUri, scratchDbName } from '../support/db';
import { SEEDS_DIR, loadTestSeeds } from '../support/seeds';
import { testWorkerOptions } from '../support/worker-options';

/**
 * The holder's round-trip budget for a full wipe and seed of the project's seeds: every command
 * it sends from its first lock attempt until its run is over (release and last history event
 * included), counted through the driver's command monitoring. "Serial" is the round trips paid
 * one after another (bench/latency-proxy.ts serialDepth). The client goes through the bench's
 * latency proxy, so that commands sent together are in flight together however fast the emulator
 * answers: the count does not depend on the machine's speed.
 */
const BUDGET = { total: 20, serial: 8 };
const RTT_MS = 10;

interface Sent {
  name: string;
  command: Document;
  flight: Flight;
}

const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

async function monitoredClient(proxy: LatencyProxy): Promise<{ client: MongoClient; sent: Sent[] }> {
  // A pool kept at the holder's widest step, as a worker warms its own at start-up
  // (cli/worker-process.ts): a new connection's handshake is not the holder's work.
  const client = await new MongoClient(proxy.uri, { ...clientOptions(10_000, 'round-trips'), minPoolSize: 12, monitorCommands: true }).connect();
  closers.push(() => client.close());
  const sent: Sent[] = [];
  const open = new Map<number, Sent>();
  client.on('commandStarted', (e) => {
    const entry = { name: e.commandName, command: e.command, flight: { start: performance.now(), end: Number.POSITIVE_INFINITY } };
    sent.push(entry);
    open.set(e.requestId, entry);
  });
  const answered = (e: { requestId: number }) => {
    const entry = open.get(e.requestId);
    if (entry) entry.flight.end = performance.now();
  };
  client.on('commandSucceeded', answered);
  client.on('commandFailed', answered);
  return { client, sent };
}

const isAcquire = (s: Sent) => s.name === 'findAndModify' && s.command.findAndModify === INITIALIZATION && s.command.upsert === true;
const isRelease = (s: Sent) =>
  s.name === 'update' && s.command.update === INITIALIZATION && (s.command.updates as Document[]).some((u) => u.u?.$set?.holder === null);

/** What one holder's full wipe and seed costs, on a database already seeded (so the wipe has everything to delete). */
async function measureHolder(targetUri: string, seeds?: Awaited<ReturnType<typeof loadTestSeeds>>) {
  const proxy = await startLatencyProxy(targetUri, RTT_MS);
  closers.push(() => proxy.close());
  const { client, sent } = await monitoredClient(proxy);
  const db: Db = client.db(scratchDbName('rt'));
  closers.push(() => db.dropDatabase());
  const first = await runWorker(db, await testWorkerOptions('rt-first', `first-${db.databaseName}`, seeds ? { seeds } : {}));
  expect(first.outcome).toBe('acquired');
  await db.collection('leftovers').insertMany([{ a: 1 }, { a: 2 }]);

  sent.length = 0;
  // A lease of production length: no renewal falls in the run, and its grant vouches for its batches
  // (a slow holder asks the database again before a batch: Lease.confirmBeforeBatch).
  const outcome = await runWorker(db, await testWorkerOptions('rt-holder', `second-${db.databaseName}`, { leaseMs: 30_000, ...(seeds ? { seeds } : {}) }));
  expect(outcome).toMatchObject({ outcome: 'acquired', wiped: true });
  const from = sent.findIndex(isAcquire);
  expect(from, 'the holder sent its acquire').toBeGreaterThanOrEqual(0);
  const release = sent.find(isRelease);
  expect(release, 'the holder released').toBeDefined();
  // From the first lock attempt until the release is answered; what the run sends after (its last
  // history events) is counted apart.
  const all = sent.slice(from);
  const window = all.filter((s) => s.flight.start <= release!.flight.end);
  const t0 = all[0]!.flight.start;
  const line = (s: Sent) =>
    `${s.name}${typeof s.command[s.name] === 'string' ? ` ${s.command[s.name]}` : ''}${s.command.autocommit === false ? ' (in the transaction)' : ''} ${Math.round(s.flight.start - t0)}-${Math.round(s.flight.end - t0)} ms`;
  return {
    total: window.length,
    serial: serialDepth(window.map((s) => s.flight)),
    after: all.length - window.length,
    serialWithAfter: serialDepth(all.map((s) => s.flight)),
    inTransaction: window.filter((s) => s.command.autocommit === false || s.name === 'commitTransaction').length,
    names: all.map(line),
  };
}

type Measured = Awaited<ReturnType<typeof measureHolder>>;

/** The project's seeds plus a copy of every project under other ids and names: twice the projects, DCs and dashboards. */
async function doubledSeeds(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seeds-doubled-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  await cp(SEEDS_DIR, path.join(dir, 'original'), { recursive: true });
  await cp(SEEDS_DIR, path.join(dir, 'copy'), { recursive: true });
  for (const file of await readdir(path.join(dir, 'copy'), { recursive: true })) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    const target = path.join(dir, 'copy', file);
    const text = await readFile(target, 'utf8');
    const shifted = text.replace(/\b([0-9a-f])([0-9a-f]{23})\b/g, (_, head: string, rest: string) => `${((parseInt(head, 16) + 1) % 16).toString(16)}${rest}`);
    await writeFile(target, shifted.replace(/^name: (.*)$/m, 'name: $1 (copy)'));
  }
  return dir;
}

function expectWithinBudget(measured: Measured, budget = BUDGET) {
  const detail = `${measured.total} round trips to the release (+${measured.after} after), ${measured.serial} serial (${measured.serialWithAfter} with those after):\n${measured.names.join('\n')}`;
  expect(measured.total, detail).toBeLessThanOrEqual(budget.total);
  expect(measured.serial, detail).toBeLessThanOrEqual(budget.serial);
  expect(measured.serialWithAfter, detail).toBeLessThanOrEqual(budget.serial + 1);
}

describe('the holder round-trip budget', () => {
  it('the measure itself: three commands in a row are three serial round trips, three at once one', async () => {
    const proxy = await startLatencyProxy(mongoUri(), RTT_MS);
    closers.push(() => proxy.close());
    const { client, sent } = await monitoredClient(proxy);
    const admin = client.db('admin');
    // Three connections open first: a new connection's handshake is not a command and would delay its ping.
    await Promise.all([1, 2, 3].map(() => admin.command({ ping: 1 })));
    sent.length = 0;
    for (let i = 0; i < 3; i += 1) await admin.command({ ping: 1 });
    await Promise.all([1, 2, 3].map(() => admin.command({ ping: 1 })));
    expect(sent.map((s) => s.name)).toEqual(Array(6).fill('ping'));
    expect(serialDepth(sent.map((s) => s.flight))).toBe(4);
    // The proxy saw the same commands, each held for the round trip.
    const proxied = proxy.commands.filter((c) => c.name === 'ping' && !c.handshake);
    expect(proxied.length).toBe(9);
    for (const c of proxied) expect(c.answeredAt! - c.sentAt).toBeGreaterThanOrEqual(RTT_MS - 1);
  });

  it('standalone: a full wipe and seed of the project seeds stays within the budget', async () => {
    expectWithinBudget(await measureHolder(mongoUri()));
  });

  it('standalone: twice the projects and dashboards cost the same round trips', async () => {
    const seeds = await loadTestSeeds();
    const doubled = await loadTestSeeds(await doubledSeeds());
    expect(doubled.projects.length).toBe(2 * seeds.projects.length);
    const once = await measureHolder(mongoUri(), seeds);
    const twice = await measureHolder(mongoUri(), doubled);
    const commands = (m: Measured) => m.names.map((n) => n.replace(/ [0-9]+-[0-9]+ ms$/, ''));
    expect(commands(twice), `${twice.names.join('\n')}\nvs\n${once.names.join('\n')}`).toEqual(commands(once));
  });

  describe('replica set (fenced transactions: each statement is a round trip)', () => {
    let server: EmbeddedDb;
    beforeAll(async () => {
      server = await startEmulator({ replSet: 'rs-rt' });
      closers.push(() => server.stop());
    });

    it('a full wipe and seed is one transaction: the budget plus its lock statement and commit, its statements in a row', async () => {
      const measured = await measureHolder(server.uri);
      // Drivers run no two operations of one transaction at once: each statement is a round trip
      // paid after the one before. Around it: the acquire, the state, the snapshot, the completion.
      expect(measured.inTransaction, measured.names.join('\n')).toBeGreaterThan(2);
      expectWithinBudget(measured, { total: BUDGET.total + 2, serial: 4 + measured.inTransaction });
    });
  });

  describe('replica set on MongoDB 8.0 (the bulkWrite command: the transaction is three statements)', () => {
    let server: EmbeddedDb;
    beforeAll(async () => {
      server = await startEmulator({ replSet: 'rs-rt8', wireVersion: 25 });
      closers.push(() => server.stop());
    });

    it('a full wipe and seed within the budget, the transactional fencing included', async () => {
      const measured = await measureHolder(server.uri);
      // The lock statement, one bulkWrite with every delete and write, the commit.
      expect(measured.inTransaction, measured.names.join('\n')).toBe(3);
      expect(
        measured.names.filter((n) => n.startsWith('bulkWrite')),
        measured.names.join('\n'),
      ).toHaveLength(1);
      expectWithinBudget(measured);
    });
  });
});

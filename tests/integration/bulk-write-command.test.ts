import { MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS, PROJECTS } from '../../lib/db/collections';
import { startEmulator, type EmbeddedDb } from '../../lib/db/embedded';
import { ServerClock } from '../../lib/db/server-clock';
import { serverFacts } from '../../lib/db/topology';
import { runWorker } from '../../lib/init/run-worker';
import { wipeAndSeed } from '../../lib/init/seed-writer';
import { allWipeTargets, wipeSnapshot } from '../../lib/init/wipe';
import { workerIdentity } from '../../lib/lock/identity';
import { acquireLease } from '../../lib/lock/lease';
import { scratchDbName } from '../support/db';
import { releaseParked, setFault, waitParked } from '../support/faults';
import { loadTestSeeds } from '../support/seeds';
import { snapshot } from '../support/snapshot';
import { testWorkerOptions } from '../support/worker-options';

/**
 * On MongoDB 8.0 (wire version 25) a replica set's wipe and seed transaction carries every delete
 * and write in one `bulkWrite` command (lib/init/one-command.ts). The emulator answers that
 * command only when started as 8.0; these tests hold the new path to the old one's results and to
 * the same fencing.
 */
const servers: EmbeddedDb[] = [];
const clients: MongoClient[] = [];
let rs8: EmbeddedDb;
let rs6: EmbeddedDb;

beforeAll(async () => {
  [rs8, rs6] = await Promise.all([startEmulator({ replSet: 'rs8', wireVersion: 25, transactionLifetimeSeconds: 2 }), startEmulator({ replSet: 'rs6' })]);
  servers.push(rs8, rs6);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

async function dbOn(server: EmbeddedDb, appName = 'bulk-write-command'): Promise<Db> {
  const client = await new MongoClient(server.uri, { appName, serverSelectionTimeoutMS: 10_000 }).connect();
  clients.push(client);
  return client.db(scratchDbName('bw'));
}

describe('the bulkWrite command (MongoDB 8.0)', () => {
  it('is used only where the server has it: 8.0 with transactions; 6.0 refuses the command as a real 6.0 does', async () => {
    expect(await serverFacts(await dbOn(rs8))).toEqual({ topology: 'replica-set', transactions: true, bulkWriteCommand: true });
    expect(await serverFacts(await dbOn(rs6))).toMatchObject({ bulkWriteCommand: false });
    const old = (await dbOn(rs6)).client;
    await expect(old.db('admin').command({ bulkWrite: 1, ops: [], nsInfo: [] })).rejects.toMatchObject({ code: 59 });
  });

  it('seeds and reseeds exactly the documents the per-collection path writes', async () => {
    const [on8, on6] = [await dbOn(rs8), await dbOn(rs6)];
    for (const db of [on8, on6]) {
      expect(await runWorker(db, await testWorkerOptions('first', 'g1'))).toMatchObject({ outcome: 'acquired' });
      await db.collection(DASHBOARDS).insertOne({ _id: new ObjectId(), title: 'made by a user, wiped by the reseed' });
      expect(await runWorker(db, await testWorkerOptions('second', 'g2'))).toMatchObject({
        outcome: 'acquired',
        counts: { projects: 3, dashboards: 5, users: 2 },
      });
    }
    const omit = ['seeded_run_id'];
    const [a, b] = [await snapshot(on8, { omit }), await snapshot(on6, { omit })];
    delete a.init_history;
    delete b.init_history;
    delete a.initialization;
    delete b.initialization;
    expect(a).toEqual(b);
  });

  it('a collision on another unique key is a conflict naming the collection, and the aborted transaction wrote nothing', async () => {
    const db = await dbOn(rs8);
    await db.collection(PROJECTS).insertOne({ _id: new ObjectId(), name: 'Iris Dataset Project Data Analysis' });
    await db.collection(PROJECTS).createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
    const outcome = await runWorker(db, await testWorkerOptions('collider', 'g-collide', { wipe: false }));
    expect(outcome).toMatchObject({ outcome: 'failed' });
    expect(outcome.outcome === 'failed' && outcome.reason).toContain('cannot seed projects');
    expect(await db.collection(DASHBOARDS).countDocuments()).toBe(0);
    expect(await db.collection(PROJECTS).countDocuments()).toBe(1);
  });

  it('a stale holder parked inside its transaction lands nothing: the transaction outlives its limit and aborts, the successor completes', async () => {
    const admin = (await dbOn(rs8)).client;
    const staleDb = (await dbOn(rs8, 'stale-bulk')).client.db(scratchDbName('bw-stale'));
    const db = admin.db(staleDb.databaseName);
    expect(await runWorker(db, await testWorkerOptions('first', 'g-first'))).toMatchObject({ outcome: 'acquired' });
    const seeds = await loadTestSeeds();
    const attempt = await acquireLease(staleDb, new ServerClock(staleDb), { ...workerIdentity('stale'), run_id: 'run-stale', generation: 'g-stale' }, 500);
    expect(attempt.acquired).toBe(true);
    if (!attempt.acquired) return;
    const stale = attempt.lease;
    const wiped = await wipeSnapshot(staleDb, stale, await allWipeTargets(staleDb));
    await setFault(admin, { times: 1 }, { failCommands: ['bulkWrite'], appName: 'stale-bulk', holdUntilReleased: 'stale-bulk' });
    const late = wipeAndSeed(staleDb, stale, wiped, seeds, 'run-stale', 'replace').catch((error: unknown) => error);
    await waitParked(admin, 'stale-bulk');

    // The successor's takeover waits for the stale transaction (its lock statement wrote the lock),
    // which the server aborts at its lifetime limit (2 s here): then the successor runs.
    const successor = await runWorker(db, await testWorkerOptions('successor', 'g-successor', { waitTimeoutMs: 30_000 }));
    expect(successor).toMatchObject({ outcome: 'acquired', fence: stale.fence + 1 });
    await releaseParked(admin, 'stale-bulk');
    expect(await late).toBeInstanceOf(Error);
    for (const name of [PROJECTS, DASHBOARDS]) expect(await db.collection(name).countDocuments({ seeded_fence: stale.fence })).toBe(0);
    expect(await db.collection(DASHBOARDS).countDocuments({ seeded_fence: stale.fence + 1 })).toBe(5);
  }, 60_000);
});

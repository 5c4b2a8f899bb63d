import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { INIT_HISTORY, INITIALIZATION, LOCK_ID, PROJECTS } from '../../lib/db/collections';
import { ServerClock } from '../../lib/db/server-clock';
import { fencedWrite, notNewerThan } from '../../lib/init/fenced';
import { runWorker } from '../../lib/init/run-worker';
import { LeaseLostError } from '../../lib/lock/lease-lost-error';
import { workerIdentity } from '../../lib/lock/identity';
import { acquireLease, readLock, type Lease } from '../../lib/lock/lease';
import { leaseExpiredBy, leaseIsLive, leaseLiveAt } from '../../lib/lock/liveness';
import type { Holder } from '../../lib/schemas/lock';
import { mongoUri, useTestDb } from '../support/db';
import { loadTestSeeds } from '../support/seeds';

const { db } = useTestDb(import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function holder(name: string, generation = 'g-lease'): Holder {
  return { worker_id: name, host: 'test', pid: 1, version: 'test', run_id: 'run-lease', generation };
}

describe('the lease lock', () => {
  const clients: MongoClient[] = [];
  afterAll(async () => Promise.all(clients.map((c) => c.close())));

  it('grants exactly one of 50 concurrent acquirers, fence + 1, and the others see who holds it', async () => {
    // A released lock from an earlier run: its fence must grow from there, and the document stays.
    await db()
      .collection(INITIALIZATION)
      .insertOne({ _id: LOCK_ID, holder: null, fence: 7 } as never);
    // Ten sockets, so the attempts really race on the server.
    for (let i = 0; i < 10; i += 1) clients.push(await new MongoClient(mongoUri()).connect());
    const dbName = db().databaseName;
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const target = clients[i % clients.length]!.db(dbName);
        return acquireLease(target, new ServerClock(target), holder(`acquirer-${i}`), 30_000);
      }),
    );
    const winners = attempts.filter((a) => a.acquired);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    expect(winner.acquired && winner.lease.fence).toBe(8);
    const winnerId = winner.acquired ? winner.lease.holder.worker_id : '';
    for (const loser of attempts.filter((a) => !a.acquired)) {
      expect(loser.acquired ? null : loser.lock?.holder?.worker_id).toBe(winnerId);
    }
    const lock = await readLock(db());
    expect(lock?.fence).toBe(8);
    expect(lock?.holder?.worker_id).toBe(winnerId);
    if (winner.acquired) await winner.lease.release();
    const released = await readLock(db());
    expect(released?.holder).toBeNull();
    expect(released?.fence).toBe(8);
  });

  it('takes over an expired lease with fence + 1, names the old holder, and fences the old holder out', async () => {
    const clock = new ServerClock(db());
    const first = await acquireLease(db(), clock, holder('stalled-holder', 'g-takeover'), 400);
    expect(first.acquired).toBe(true);
    const stalled = (first as { lease: Lease }).lease;
    // While the lease is live, nobody else gets it.
    expect((await acquireLease(db(), clock, holder('too-early', 'g-takeover'), 400)).acquired).toBe(false);

    // The stalled holder renews nothing; after expiry a worker takes over and initializes.
    await sleep(600);
    const seeds = await loadTestSeeds();
    const outcome = await runWorker(db(), {
      identity: workerIdentity('successor'),
      seeds,
      wipe: true,
      generation: 'g-takeover',
      runId: 'run-takeover',
      leaseMs: 5_000,
      pollMs: 20,
      waitTimeoutMs: 10_000,
    });
    expect(outcome).toMatchObject({ outcome: 'acquired', fence: stalled.fence + 1 });
    const takeover = await db().collection(INIT_HISTORY).findOne({ run_id: 'run-takeover', event: 'takeover' });
    expect(takeover?.detail).toMatchObject({ from: 'stalled-holder' });
    expect(takeover?.fence).toBe(stalled.fence + 1);

    // The old holder's renewal fails, and it stops.
    expect(await stalled.renew()).toBe(false);
    expect(stalled.signal.aborted).toBe(true);
    expect(stalled.signal.reason).toBeInstanceOf(LeaseLostError);

    // A write with the old fence changes nothing: through the product's path it is refused...
    const iris = new ObjectId('646b0f3c1e4a2d7f8e5b8c9a');
    const before = await db().collection(PROJECTS).findOne({ _id: iris });
    await expect(
      fencedWrite(db(), PROJECTS, [{ _id: iris, name: 'overwritten by a stale holder' }], stalled, 'stale', 'replace', undefined),
    ).rejects.toBeInstanceOf(LeaseLostError);
    // ...and even sent straight to the database, the fenced filter cannot match the newer document.
    await expect(
      db()
        .collection(PROJECTS)
        .replaceOne({ _id: iris, ...notNewerThan(stalled.fence) }, { name: 'overwritten by a stale holder', seeded_fence: stalled.fence }, { upsert: true }),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await db().collection(PROJECTS).findOne({ _id: iris })).toEqual(before);
    expect(before?.seeded_fence).toBe(stalled.fence + 1);
  });

  it('the database and leaseIsLive agree at the expiry millisecond: the takeover and renewal filters match as the rule says', async () => {
    const expiry = new Date('2026-12-02T10:00:00.000Z');
    const locks = db().collection('lease_boundary');
    await locks.insertOne({ _id: 'boundary', holder: holder('w-boundary'), lease_expires_at: expiry } as never);
    for (const delta of [-1, 0, 1]) {
      const now = new Date(expiry.getTime() + delta);
      const live = leaseIsLive({ holder: holder('w-boundary'), lease_expires_at: expiry }, now);
      expect(await locks.countDocuments({ lease_expires_at: leaseLiveAt(now) }), `live at ${delta} ms`).toBe(live ? 1 : 0);
      expect(await locks.countDocuments({ lease_expires_at: leaseExpiredBy(now) }), `expired at ${delta} ms`).toBe(live ? 0 : 1);
    }
  });

  it('renews at a third of the lease and keeps the lease past its first term', async () => {
    const clock = new ServerClock(db());
    await db()
      .collection(INITIALIZATION)
      .updateOne({ _id: LOCK_ID } as never, { $set: { holder: null } });
    const attempt = await acquireLease(db(), clock, holder('renewer', 'g-renew'), 600);
    expect(attempt.acquired).toBe(true);
    const lease = (attempt as { lease: Lease }).lease;
    let renewals = 0;
    lease.startHeartbeat(() => (renewals += 1));
    await sleep(1_000);
    lease.stopHeartbeat();
    expect(renewals).toBeGreaterThanOrEqual(2);
    expect(lease.signal.aborted).toBe(false);
    expect((await acquireLease(db(), clock, holder('intruder', 'g-renew'), 600)).acquired).toBe(false);
    const lock = await readLock(db());
    expect(lock?.renewals).toBe(renewals);
    await lease.release();
  });
});

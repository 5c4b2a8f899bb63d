import { MongoClient, type Db, type Document } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { INIT_HISTORY, INITIALIZATION, LOCK_ID, STATE_ID } from '../../lib/db/collections';
import { ServerClock } from '../../lib/db/server-clock';
import { wipeDatabase } from '../../lib/init/wipe';
import { acquireLease, type Lease } from '../../lib/lock/lease';
import type { Holder } from '../../lib/schemas/lock';
import { mongoUri, useTestDb } from '../support/db';

const { db } = useTestDb(import.meta.url);

// Platform collections and a few more: the wipe must find them by listing, not from a fixed list.
const FILLED = [
  'projects',
  'dashboards',
  'users',
  'groups',
  'deltatables',
  'multiqc',
  'files',
  'runs',
  'jbrowse_tracks',
  'tokens',
  'cli_configs',
  'screenshots',
  'audit_log',
  'sessions',
  'notes',
  'jobs',
];
const DOCS_PER_COLLECTION = 2_500;

function holder(name: string): Holder {
  return { worker_id: name, host: 'test', pid: 1, version: 'test', run_id: 'run-wipe', generation: 'g-wipe' };
}

async function fill(target: Db, name: string, count: number) {
  const docs = Array.from({ length: count }, (_, i) => ({
    n: i,
    name: `${name}-${i}`,
    payload: 'x'.repeat(64),
    // Some of the data was written by earlier holders (lower fences), some by the platform (no fence).
    ...(i % 3 === 0 ? { seeded_fence: 1 + (i % 4) } : {}),
  }));
  await target.collection(name).insertMany(docs);
}

describe('the wipe', () => {
  const clients: MongoClient[] = [];
  afterAll(async () => Promise.all(clients.map((c) => c.close())));

  it('empties every collection except initialization and init_history, and the lock is never absent meanwhile', async () => {
    for (const name of FILLED) await fill(db(), name, DOCS_PER_COLLECTION);
    await db().collection('projects').createIndex({ name: 1 }, { name: 'name_unique', unique: true });
    // A released lock from an earlier run, the state it left, and the history so far.
    await db()
      .collection(INITIALIZATION)
      .insertOne({ _id: LOCK_ID, holder: null, fence: 5 } as never);
    await db()
      .collection(INITIALIZATION)
      .insertOne({ _id: STATE_ID, status: 'complete', generation: 'g-before', run_id: 'run-before', fence: 5 } as never);
    const history = Array.from({ length: 25 }, (_, i) => ({
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
      run_id: 'run-before',
      generation: 'g-before',
      worker_id: `w${i % 5}`,
      host: 'test',
      pid: i,
      fence: 5,
      event: i % 5 === 0 ? 'acquired' : 'ready',
      detail: {},
    }));
    await db().collection(INIT_HISTORY).insertMany(history);
    const historyBefore = await db()
      .collection(INIT_HISTORY)
      .find({}, { sort: { _id: 1 } })
      .toArray();
    const stateBefore = await db()
      .collection(INITIALIZATION)
      .findOne({ _id: STATE_ID } as never);

    const attempt = await acquireLease(db(), new ServerClock(db()), holder('wiper'), 60_000);
    expect(attempt.acquired).toBe(true);
    const lease = (attempt as { lease: Lease }).lease;
    expect(lease.fence).toBe(6);
    const lockBefore = await db()
      .collection(INITIALIZATION)
      .findOne({ _id: LOCK_ID } as never);

    // A second client, on its own socket, reads the lock as fast as it can while the wipe runs.
    const watcher = await new MongoClient(mongoUri()).connect();
    clients.push(watcher);
    const watched = watcher.db(db().databaseName).collection(INITIALIZATION);
    const reads: Array<{ at: number; doc: Document | null }> = [];
    let stop = false;
    let wipeStartedAt = Number.POSITIVE_INFINITY;
    let wipeEndedAt = Number.POSITIVE_INFINITY;
    const polling = (async () => {
      // The first read proves the watcher is live before the wipe begins.
      do {
        const doc = await watched.findOne({ _id: LOCK_ID } as never);
        reads.push({ at: performance.now(), doc });
      } while (!stop);
    })();
    while (reads.length === 0) await new Promise((r) => setTimeout(r, 1));

    wipeStartedAt = performance.now();
    const deleted = await wipeDatabase(db(), lease);
    wipeEndedAt = performance.now();
    stop = true;
    await polling;

    // What the wipe reports: every filled collection, all of its documents (they are all older).
    expect(Object.keys(deleted).sort()).toEqual([...FILLED].sort());
    for (const name of FILLED) expect(deleted[name], name).toBe(DOCS_PER_COLLECTION);

    // What is in the database now.
    for (const name of FILLED) expect(await db().collection(name).countDocuments(), name).toBe(0);
    // The lock is the same grant, untouched: a grant a moment ago vouches for the wipe's batch
    // (Lease.confirmBeforeBatch), so no renewal round trip was paid for it.
    const {
      renewed_at: _r,
      lease_expires_at: _e,
      renewals,
      ...lockAfter
    } = (await db()
      .collection(INITIALIZATION)
      .findOne({ _id: LOCK_ID } as never))!;
    const { renewed_at: _r0, lease_expires_at: _e0, renewals: renewalsBefore, ...lockBeforeRest } = lockBefore!;
    expect(lockAfter).toEqual(lockBeforeRest);
    expect(renewals).toBe(renewalsBefore as number);
    expect(
      await db()
        .collection(INITIALIZATION)
        .findOne({ _id: STATE_ID } as never),
    ).toEqual(stateBefore);
    expect(
      await db()
        .collection(INIT_HISTORY)
        .find({}, { sort: { _id: 1 } })
        .toArray(),
    ).toEqual(historyBefore);
    // Emptied with deleteMany, not dropped: the indexes stay.
    const indexNames = (await db().collection('projects').indexes()).map((i) => i.name);
    expect(indexNames).toContain('name_unique');

    // The watcher: many reads while the wipe ran, and every one of them found the lock, held by the wiper.
    // A server that serializes commands answers the watcher between the wipe's commands (one read
    // of all collections' ids, then one delete per collection), so "many" here is about one read
    // per few emptied collections; a real server answers far more often.
    const during = reads.filter((r) => r.at >= wipeStartedAt && r.at <= wipeEndedAt);
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(reads.filter((r) => r.doc === null)).toEqual([]);
    for (const { doc } of reads) {
      expect(doc).toMatchObject({ _id: LOCK_ID, fence: 6, holder: { worker_id: 'wiper' } });
    }
    await lease.release();
  }, 120_000);

  it('deletes nothing that a newer holder wrote', async () => {
    // A holder with fence F: a document stamped F + 1 (a successor's) must survive its wipe,
    // its own (F) too, while older and unstamped ones go.
    await db()
      .collection(INITIALIZATION)
      .updateOne({ _id: LOCK_ID } as never, { $set: { holder: null } }, { upsert: true });
    const attempt = await acquireLease(db(), new ServerClock(db()), holder('older-holder'), 60_000);
    expect(attempt.acquired).toBe(true);
    const lease = (attempt as { lease: Lease }).lease;
    const f = lease.fence;
    await db()
      .collection('projects')
      .insertMany([
        { name: 'platform-written' },
        { name: 'older-holder', seeded_fence: f - 1 },
        { name: 'this-holder', seeded_fence: f },
        { name: 'successor', seeded_fence: f + 1 },
      ]);
    const deleted = await wipeDatabase(db(), lease);
    expect(deleted.projects).toBe(2);
    const left = (await db().collection('projects').find({}).toArray()).map((d) => d.name).sort();
    expect(left).toEqual(['successor', 'this-holder']);
    await lease.release();
  });
});

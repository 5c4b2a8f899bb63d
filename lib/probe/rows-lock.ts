import type { Collection } from 'mongodb';
import { LOCK_ID, STATE_ID, acquire, describeError, duplicateKeyOf, holder, mine, release, renew, show, type ProbeHolder } from './commands';
import { rowCollection, type Loose, type Check, type ProbeContext, type RowDef } from './context';
import { DOC } from './docs-urls';

const LEASE_MS = 60_000;

export async function serverNow(ctx: ProbeContext): Promise<Date> {
  const reply = await ctx.client.db('admin').command({ hello: 1 });
  return reply.localTime instanceof Date ? reply.localTime : new Date();
}

const lockOf = (coll: Collection<Loose>) => coll.findOne({ _id: LOCK_ID });
const isIdCollision = (error: unknown) => JSON.stringify(duplicateKeyOf(error)?.keyPattern) === '{"_id":1}';

/** What a refused acquire said, in words: the keyPattern is what tells a live lease from a seed collision. */
function collisionText(error: unknown): string {
  const dup = duplicateKeyOf(error);
  if (!dup) return describeError(error);
  return isIdCollision(error) ? 'E11000, keyPattern {_id: 1}' : `E11000 with keyPattern ${show(dup.keyPattern)}`;
}

/** An acquire that must collide: E11000 on `_id` and the lock exactly as it was. */
async function expectCollision(coll: Collection<Loose>, who: ProbeHolder, now: Date): Promise<Check> {
  const before = await lockOf(coll);
  let outcome = 'the acquire succeeded';
  let collided = false;
  try {
    await acquire(coll, who, now, LEASE_MS);
  } catch (error) {
    collided = isIdCollision(error);
    outcome = collisionText(error);
  }
  const unchanged = JSON.stringify(await lockOf(coll)) === JSON.stringify(before);
  return { pass: collided && unchanged, observed: `${outcome}; the lock ${unchanged ? 'unchanged' : 'CHANGED'}` };
}

export const acquireInsert: RowDef = {
  id: 'acquire-insert',
  behaviour: 'acquire upsert on a missing lock inserts it',
  needs: 'the first worker gets fence 1; returnDocument "before" gives null',
  doc: DOC.findAndModify,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'acquire-insert');
    const before = await acquire(coll, holder('w1'), await serverNow(ctx), LEASE_MS);
    const lock = await lockOf(coll);
    const pass = before === null && lock?.fence === 1 && lock?.holder?.worker_id === 'w1';
    return {
      pass,
      observed: `inserted, fence ${show(lock?.fence)}, holder ${show(lock?.holder?.worker_id)}, returned ${before === null ? 'null' : show(before)}`,
    };
  },
};

export const acquireTakeover: RowDef = {
  id: 'acquire-takeover',
  behaviour: 'acquire on a free lock or an expired lease updates it, at its expiry millisecond too',
  needs: 'fence + 1 and the previous document returned (naming the expired holder); the takeover agrees with leaseIsLive at the boundary',
  doc: DOC.findAndModify,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'acquire-takeover');
    await coll.insertOne({ _id: LOCK_ID, holder: null, fence: 4 });
    const now = await serverNow(ctx);
    const fromFree = await acquire(coll, holder('w2'), now, LEASE_MS);
    const afterFree = await lockOf(coll);
    await coll.updateOne({ _id: LOCK_ID }, { $set: { lease_expires_at: new Date(now.getTime() - 1_000) } });
    const fromExpired = await acquire(coll, holder('w3'), await serverNow(ctx), LEASE_MS);
    const afterExpired = await lockOf(coll);
    // A lease expires at its lease_expires_at: an acquire dated that very millisecond takes it over.
    const boundary = new Date(now.getTime() + 1_000);
    await coll.updateOne({ _id: LOCK_ID }, { $set: { lease_expires_at: boundary } });
    const fromBoundary = await acquire(coll, holder('w4'), boundary, LEASE_MS);
    const afterBoundary = await lockOf(coll);
    const pass =
      fromFree?.fence === 4 &&
      fromFree?.holder === null &&
      afterFree?.fence === 5 &&
      fromExpired?.holder?.worker_id === 'w2' &&
      afterExpired?.fence === 6 &&
      afterExpired?.holder?.worker_id === 'w3' &&
      fromBoundary?.holder?.worker_id === 'w3' &&
      afterBoundary?.fence === 7;
    return {
      pass,
      observed: `free: fence ${show(fromFree?.fence)} → ${show(afterFree?.fence)}; expired: returned holder ${show(fromExpired?.holder?.worker_id)}, fence → ${show(afterExpired?.fence)}; at the expiry millisecond: returned holder ${show(fromBoundary?.holder?.worker_id)}, fence → ${show(afterBoundary?.fence)}`,
    };
  },
};

export const acquireLiveCollides: RowDef = {
  id: 'acquire-live-collides',
  behaviour: "acquire on a live lease: the upsert's insert collides",
  needs: 'E11000 with keyPattern {_id: 1}, never retried as an update, nothing changed',
  doc: DOC.upsertDuplicates,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'acquire-live-collides');
    const now = await serverNow(ctx);
    await coll.insertOne({ _id: LOCK_ID, holder: holder('w1'), fence: 7, lease_expires_at: new Date(now.getTime() + LEASE_MS) });
    return expectCollision(coll, holder('w2'), now);
  },
};

export const acquireCompletedGeneration: RowDef = {
  id: 'acquire-completed-generation',
  behaviour: 'acquire for a generation the lock records as completed collides',
  needs: 'no late worker takes the lock again for a finished generation; a new generation can',
  doc: DOC.upsertDuplicates,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'acquire-completed-generation');
    await coll.insertOne({ _id: LOCK_ID, holder: null, fence: 2, completed_generations: ['probe-g1'] });
    const now = await serverNow(ctx);
    const same = await expectCollision(coll, holder('w1', 'probe-g1'), now);
    const next = await acquire(coll, holder('w1', 'probe-g2'), now, LEASE_MS).then(
      () => 'granted',
      (error: unknown) => describeError(error),
    );
    const fence = (await lockOf(coll))?.fence;
    return {
      pass: same.pass && next === 'granted' && fence === 3,
      observed: `same generation: ${same.observed}; next generation: ${next}, fence ${show(fence)}`,
    };
  },
};

export const acquireRace: RowDef = {
  id: 'acquire-race',
  behaviour: 'N acquires at once on N connections',
  needs: 'exactly one winner per round, every other gets E11000 on _id, fences strictly increase',
  doc: DOC.uniqueIndex,
  async run(ctx) {
    const workers = ctx.raceWorkers;
    const rounds = 5;
    const name = rowCollection(ctx, 'acquire-race').collectionName;
    const clients = await Promise.all(Array.from({ length: workers }, () => ctx.newClient({ maxPoolSize: 1 })));
    const colls = clients.map((c) => c.db(ctx.db.databaseName).collection<Loose>(name));
    // Every connection is open and has answered before the start, so the acquires leave together.
    await Promise.all(colls.map((c) => c.findOne({ _id: 'warm-up' })));
    const fences: number[] = [];
    const problems: string[] = [];
    let collisions = 0;
    for (let round = 0; round < rounds; round += 1) {
      const now = await serverNow(ctx);
      const racers = colls.map((_, i) => holder(`racer-${i}`));
      const results = await Promise.allSettled(colls.map((c, i) => acquire(c, racers[i]!, now, LEASE_MS)));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [racers[i]!] : []));
      for (const r of results) {
        if (r.status === 'rejected') {
          if (isIdCollision(r.reason)) collisions += 1;
          else problems.push(`round ${round + 1}: ${collisionText(r.reason)}`);
        }
      }
      const lock = await lockOf(ctx.db.collection<Loose>(name));
      if (winners.length !== 1 || lock?.holder?.worker_id !== winners[0]?.worker_id) {
        problems.push(`round ${round + 1}: ${winners.length} winners, lock names ${show(lock?.holder?.worker_id)}`);
        break;
      }
      fences.push(lock!.fence as number);
      await release(ctx.db.collection<Loose>(name), winners[0]!, lock!.fence as number);
    }
    const increasing = fences.every((f, i) => i === 0 || f > fences[i - 1]!);
    const pass = problems.length === 0 && fences.length === rounds && increasing;
    return {
      pass,
      observed:
        `${rounds} rounds × ${workers} connections: ${fences.length} single winners, ${collisions} × E11000 on _id, fences ${fences.join(', ')}` +
        (problems.length ? `; ${problems[0]}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}` : ''),
    };
  },
};

export const fenceAfterDelete: RowDef = {
  id: 'fence-after-delete',
  behaviour: '$max raises the fence of a re-created lock above the highest on record',
  needs: 'a deleted lock never resets the fence order; $max never lowers it',
  doc: DOC.max,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'fence-after-delete');
    await coll.insertOne({ _id: STATE_ID, fence: 7, status: 'complete' });
    const who = holder('w1');
    await acquire(coll, who, await serverNow(ctx), LEASE_MS);
    const inserted = (await lockOf(coll))?.fence as number;
    const state = await coll.findOne({ _id: STATE_ID });
    const highest = Math.max(inserted, (state?.fence as number) ?? 0);
    const raised = await coll.findOneAndUpdate(mine(who, inserted), { $max: { fence: highest + 1 } }, { returnDocument: 'after', projection: { fence: 1 } });
    await coll.updateOne({ _id: LOCK_ID }, { $max: { fence: 3 } });
    const fence = (await lockOf(coll))?.fence;
    return {
      pass: inserted === 1 && raised?.fence === highest + 1 && fence === highest + 1,
      observed: `re-created at fence ${show(inserted)}, raised to ${show(fence)} (state had 7); $max with 3 left it`,
    };
  },
};

export const renewReleaseFenced: RowDef = {
  id: 'renew-release-fenced',
  behaviour: 'renew and release match only {holder.worker_id, fence}',
  needs: 'the holder renews its own lease; after a takeover its renew and release match nothing',
  doc: DOC.findAndModify,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'renew-release-fenced');
    const a = holder('w-a');
    const b = holder('w-b');
    await acquire(coll, a, await serverNow(ctx), LEASE_MS);
    const fenceA = (await lockOf(coll))?.fence as number;
    const renewed = await renew(coll, a, fenceA, await serverNow(ctx), LEASE_MS);
    await coll.updateOne({ _id: LOCK_ID }, { $set: { lease_expires_at: new Date(0) } });
    await acquire(coll, b, await serverNow(ctx), LEASE_MS);
    const staleRenew = await renew(coll, a, fenceA, await serverNow(ctx), LEASE_MS);
    const staleRelease = await release(coll, a, fenceA);
    const lock = await lockOf(coll);
    const pass = renewed !== null && staleRenew === null && staleRelease.matchedCount === 0 && lock?.holder?.worker_id === 'w-b';
    return {
      pass,
      observed: `own renew ${renewed ? 'matched' : 'did NOT match'}; after takeover: renew ${staleRenew ? 'MATCHED' : 'no match'}, release matched ${staleRelease.matchedCount}, holder ${show(lock?.holder?.worker_id)} fence ${show(lock?.fence)}`,
    };
  },
};

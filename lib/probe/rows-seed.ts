import type { Document, UpdateFilter } from 'mongodb';
import { STATE_ID, describeError, fencedReplace, fencedWipeFilter, show } from './commands';
import { snapshotPipeline } from '../init/wipe';
import { rowCollection, type Loose, type RowDef } from './context';
import { DOC } from './docs-urls';

const MY_FENCE = 5;

/** The server's own write errors of a bulk write's replies (the driver's WriteError drops keyPattern/keyValue). */
const writeErrorsOf = (replies: Document[]): Document[] => replies.flatMap((r) => (Array.isArray(r.writeErrors) ? (r.writeErrors as Document[]) : []));

const namesIndex = (writeError: Document, index: string) => typeof writeError.errmsg === 'string' && writeError.errmsg.includes(`index: ${index} `);

export const seedFencedUpsert: RowDef = {
  id: 'seed-fenced-upsert',
  behaviour: 'bulkWrite of fenced replaceOne upserts, ordered: false',
  needs: 'older or unstamped documents replaced, missing ones inserted, a newer fence never overwritten (E11000 on _id) and the rest still written',
  doc: DOC.bulkWrite,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'seed-fenced-upsert', 'projects');
    await coll.insertMany([
      { _id: 'older', seeded_fence: 2, v: 'old' },
      { _id: 'newer', seeded_fence: 9, v: 'successor' },
      { _id: 'unstamped', v: 'platform' },
      { _id: 'same', seeded_fence: MY_FENCE, v: 'mine-before' },
    ]);
    const docs = ['older', 'newer', 'missing', 'unstamped', 'same'].map((_id) => ({ _id, v: 'seeded' }));
    const result = await ctx.capture('update', () =>
      coll.bulkWrite(
        docs.map((d) => fencedReplace(d, MY_FENCE)),
        { ordered: false },
      ),
    );
    const errors = writeErrorsOf(result.replies);
    const stored = new Map((await coll.find({}).toArray()).map((d) => [d._id, d]));
    const written = ['older', 'missing', 'unstamped', 'same'].filter((id) => stored.get(id)?.v === 'seeded' && stored.get(id)?.seeded_fence === MY_FENCE);
    const kept = stored.get('newer')?.v === 'successor' && stored.get('newer')?.seeded_fence === 9;
    const only = errors.length === 1 ? errors[0]! : undefined;
    // The driver's WriteError keeps only the message, so the index name in it is what the product reads.
    const collision = only?.code === 11000 && only.index === 1 && JSON.stringify(only.keyPattern) === '{"_id":1}' && namesIndex(only, '_id_');
    const sentUnordered = result.sent[0]?.ordered === false;
    return {
      pass: written.length === 4 && kept && collision && sentUnordered,
      observed:
        `${written.length}/4 written, newer ${kept ? 'kept' : 'OVERWRITTEN'}; write errors: ` +
        (errors.length
          ? errors
              .map((e) => `#${show(e.index)} ${show(e.code)} keyPattern ${show(e.keyPattern)}${namesIndex(e, '_id_') ? ', message names _id_' : ''}`)
              .join(', ')
          : 'none') +
        (result.error && errors.length === 0 ? ` (${describeError(result.error)})` : ''),
    };
  },
};

export const seedUniqueCollision: RowDef = {
  id: 'seed-unique-collision',
  behaviour: 'a fenced upsert colliding on another unique index',
  needs: 'E11000 naming that index (keyPattern, keyValue, and in the message the driver keeps), told apart from a same-_id race',
  doc: DOC.uniqueIndex,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'seed-unique-collision', 'projects');
    await coll.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
    await coll.insertOne({ _id: 'user-made', name: 'iris' });
    const result = await ctx.capture('update', () => coll.bulkWrite([fencedReplace({ _id: 'seeded-iris', name: 'iris' }, MY_FENCE)], { ordered: false }));
    const error = writeErrorsOf(result.replies)[0];
    const pass =
      error?.code === 11000 &&
      JSON.stringify(error.keyPattern) === '{"name":1}' &&
      JSON.stringify(error.keyValue) === '{"name":"iris"}' &&
      namesIndex(error, 'name_unique');
    return {
      pass,
      observed: error
        ? `code ${show(error.code)}, keyPattern ${show(error.keyPattern)}, keyValue ${show(error.keyValue)}, message ${namesIndex(error, 'name_unique') ? 'names' : 'does NOT name'} name_unique`
        : result.error
          ? describeError(result.error)
          : 'no error: the collision was not reported',
    };
  },
};

export const wipeFencedDelete: RowDef = {
  id: 'wipe-fenced-delete',
  behaviour: "listCollections, one aggregate of every collection's _ids ($unionWith), then deleteMany {_id: {$in}, fence lower or missing}",
  needs: 'deletes only what existed when the wipe began and no newer holder stamped; never drop',
  doc: DOC.deleteMany,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'wipe-fenced-delete', 'dashboards');
    const other = rowCollection<Loose>(ctx, 'wipe-fenced-delete', 'projects');
    await coll.insertMany([
      { _id: 'unstamped' },
      { _id: 'older', seeded_fence: 3 },
      { _id: 'mine', seeded_fence: MY_FENCE },
      { _id: 'newer', seeded_fence: 8 },
    ]);
    await other.insertMany([
      { _id: 'p-older', seeded_fence: 1 },
      { _id: 'p-newer', seeded_fence: 9 },
    ]);
    const names = (await ctx.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    if (!names.includes(coll.collectionName)) return { pass: false, observed: `listCollections did not list ${coll.collectionName}` };
    // The product's snapshot: one aggregate for both collections (lib/init/wipe.ts).
    const targets = [coll, other].map((c) => ({ name: c.collectionName, filter: {} }));
    const rows = await coll.aggregate<{ _id: string; c: string }>(snapshotPipeline(targets, MY_FENCE)).toArray();
    const ids = rows.filter((r) => r.c === coll.collectionName).map((r) => r._id);
    const otherIds = rows.filter((r) => r.c === other.collectionName).map((r) => r._id);
    if (JSON.stringify(otherIds) !== JSON.stringify(['p-older'])) {
      return { pass: false, observed: `the $unionWith snapshot listed ${show(otherIds)} of the second collection, expected ["p-older"]` };
    }
    // Written after the wipe listed the collection: a user's dashboard the wipe must not reach.
    await coll.insertOne({ _id: 'after-listing' });
    const deleted = await coll.deleteMany(fencedWipeFilter(ids, MY_FENCE));
    const left = (await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id).sort();
    const expected = ['after-listing', 'mine', 'newer'];
    return {
      pass: deleted.deletedCount === 2 && JSON.stringify(left) === JSON.stringify(expected),
      observed: `listed ${ids.length} (+${otherIds.length} by $unionWith), deleted ${deleted.deletedCount}, left ${left.join(', ')}`,
    };
  },
};

export const statePushSlice: RowDef = {
  id: 'state-push-slice',
  behaviour: 'state findOneAndUpdate with fence predicates and $push {$each, $slice: -100}',
  needs: 'completed generations kept to the last 100; a stale fence matches nothing',
  doc: DOC.slice,
  async run(ctx) {
    const coll = rowCollection(ctx, 'state-push-slice');
    const history = Array.from({ length: 100 }, (_, i) => `g${i}`);
    await coll.insertOne({ _id: STATE_ID, fence: MY_FENCE, status: 'in-progress', completed_generations: history });
    const update = (fence: number) =>
      coll.findOneAndUpdate(
        { _id: STATE_ID, fence },
        { $set: { status: 'complete' }, $push: { completed_generations: { $each: ['probe-g1'], $slice: -100 } } } as unknown as UpdateFilter<Loose>,
        { returnDocument: 'after' },
      );
    const after = await update(MY_FENCE);
    const stale = await update(MY_FENCE - 1);
    const generations = (after?.completed_generations as string[] | undefined) ?? [];
    const pass = generations.length === 100 && generations[0] === 'g1' && generations.at(-1) === 'probe-g1' && after?.status === 'complete' && stale === null;
    return {
      pass,
      observed: `${generations.length} kept, first ${show(generations[0])}, last ${show(generations.at(-1))}; stale fence ${stale === null ? 'matched nothing' : 'MATCHED'}`,
    };
  },
};

export const uniqueIndexes: RowDef = {
  id: 'unique-indexes',
  behaviour: 'createIndexes with fixed names (commitQuorum "majority" on a replica set)',
  needs: 'unique indexes created once and again as a no-op; another name on the same key refused (85)',
  doc: DOC.createIndexes,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'unique-indexes', 'users');
    const quorum = ctx.topology === 'standalone' ? {} : { commitQuorum: 'majority' };
    const create = () =>
      ctx.db.command({ createIndexes: coll.collectionName, indexes: [{ key: { email: 1 }, name: 'email_unique', unique: true }], ...quorum });
    const first = await create();
    const again = await create();
    const listed = await coll.listIndexes().toArray();
    const index = listed.find((i) => i.name === 'email_unique');
    const foreign = await ctx.db
      .command({ createIndexes: coll.collectionName, indexes: [{ key: { email: 1 }, name: 'email_other', unique: true }], ...quorum })
      .then(
        () => 'accepted',
        (error: { code?: number }) => (error.code === 85 || error.code === 86 ? `refused (${error.code})` : describeError(error)),
      );
    const pass =
      index?.unique === true &&
      first.numIndexesAfter === again.numIndexesAfter &&
      again.numIndexesBefore === again.numIndexesAfter &&
      foreign.startsWith('refused');
    return {
      pass,
      observed:
        `email_unique ${index?.unique ? 'unique' : 'MISSING'}; again: ${again.numIndexesBefore} → ${again.numIndexesAfter} indexes; another name on the key ${foreign}` +
        (ctx.topology === 'standalone' ? '; commitQuorum not sent (standalone)' : '; commitQuorum majority'),
    };
  },
};

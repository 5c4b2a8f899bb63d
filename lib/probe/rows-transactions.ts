import { Long, MongoClientBulkWriteError, ObjectId, type ClientSession, type Document } from 'mongodb';
import { duplicateKeys, isOnId } from '../db/duplicate-key';
import { BULK_WRITE_WIRE_VERSION } from '../db/topology';
import type { SeedDoc } from '../init/fenced';
import { oneCommandModels } from '../init/one-command';
import type { WipeSnapshot } from '../init/wipe';
import { LOCK_ID, acquire, describeError, holder, mine, show } from './commands';
import { rowCollection, type Loose, type ProbeContext, type RowDef } from './context';
import { DOC } from './docs-urls';
import { serverNow } from './rows-lock';

const TXN_OPTIONS = { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority', journal: true }, readPreference: 'primary' } as const;
const FENCE = 3;

/** The product's batch: the lock write first (must match 1), then the batch, in one transaction. */
async function fencedBatch(ctx: ProbeContext, session: ClientSession, row: string, ids: string[]): Promise<number> {
  const lock = rowCollection<Loose>(ctx, row);
  const batch = rowCollection<Loose>(ctx, row, 'batch');
  const check = await lock.updateOne(mine(holder('txn-holder'), FENCE), { $set: { last_batch: ids.join(',') } }, { session });
  if (check.matchedCount !== 1) return 0;
  await batch.insertMany(
    ids.map((_id) => ({ _id, seeded_fence: FENCE })),
    { session },
  );
  return check.matchedCount;
}

async function seedLock(ctx: ProbeContext, row: string, leaseExpiresAt: Date): Promise<void> {
  await rowCollection<Loose>(ctx, row).insertOne({ _id: LOCK_ID, holder: holder('txn-holder'), fence: FENCE, lease_expires_at: leaseExpiresAt });
  // The batch collection exists before the transaction: creating one inside it needs MongoDB 4.4+ and is not what is probed.
  await ctx.db.createCollection(rowCollection(ctx, row, 'batch').collectionName);
}

const batchCount = (ctx: ProbeContext, row: string) => rowCollection<Loose>(ctx, row, 'batch').countDocuments({});

export const txnRollback: RowDef = {
  id: 'txn-rollback',
  behaviour: 'a transaction (lock write first, then the batch) rolls back on abort',
  needs: 'an aborted batch leaves nothing; a committed one is all there (commit with w: majority)',
  doc: DOC.transactions,
  transactions: true,
  async run(ctx) {
    const row = 'txn-rollback';
    await seedLock(ctx, row, new Date((await serverNow(ctx)).getTime() + 60_000));
    const session = ctx.client.startSession();
    try {
      session.startTransaction(TXN_OPTIONS);
      const matched = await fencedBatch(ctx, session, row, ['a1', 'a2']);
      await session.abortTransaction();
      const afterAbort = await batchCount(ctx, row);
      const lockAfterAbort = await rowCollection<Loose>(ctx, row).findOne({ _id: LOCK_ID });
      session.startTransaction(TXN_OPTIONS);
      await fencedBatch(ctx, session, row, ['c1', 'c2']);
      await session.commitTransaction();
      const afterCommit = await batchCount(ctx, row);
      const pass = matched === 1 && afterAbort === 0 && lockAfterAbort?.last_batch === undefined && afterCommit === 2;
      return {
        pass,
        observed: `lock write matched ${matched}; after abort ${afterAbort} batch documents, lock ${lockAfterAbort?.last_batch === undefined ? 'untouched' : 'CHANGED'}; after commit ${afterCommit}`,
      };
    } finally {
      await session.endSession();
    }
  },
};

export const txnTakeoverExcluded: RowDef = {
  id: 'txn-takeover-excluded',
  behaviour: 'a takeover outside a transaction that wrote the lock',
  needs: 'the takeover waits for the transaction or makes it abort (WriteConflict / TransientTransactionError); never both land',
  doc: DOC.writeConflicts,
  transactions: true,
  async run(ctx) {
    const row = 'txn-takeover-excluded';
    // An expired lease: the takeover is legitimate, the transaction is the stale holder's last batch.
    await seedLock(ctx, row, new Date((await serverNow(ctx)).getTime() - 1_000));
    const other = await ctx.newClient();
    const otherLock = other.db(ctx.db.databaseName).collection<Loose>(rowCollection(ctx, row).collectionName);
    const session = ctx.client.startSession();
    const holdMs = 500;
    try {
      session.startTransaction(TXN_OPTIONS);
      const matched = await fencedBatch(ctx, session, row, ['b1', 'b2']);
      let takeoverDoneAt: number | undefined;
      const takeover = acquire(otherLock, holder('successor'), await serverNow(ctx), 60_000).then(
        (before) => {
          takeoverDoneAt = Date.now();
          return { before, error: undefined as unknown };
        },
        (error: unknown) => {
          takeoverDoneAt = Date.now();
          return { before: null, error };
        },
      );
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      const doneWhileOpen = takeoverDoneAt !== undefined;
      const commitAt = Date.now();
      const commit = await session.commitTransaction().then(
        () => 'committed',
        (error: unknown) => `aborted: ${describeError(error)}`,
      );
      const outcome = await takeover;
      const batch = await batchCount(ctx, row);
      const lock = await rowCollection<Loose>(ctx, row).findOne({ _id: LOCK_ID });
      // The stale holder's next batch: its lock statement must match nothing now.
      session.startTransaction(TXN_OPTIONS);
      const staleMatched = await fencedBatch(ctx, session, row, ['late']);
      await session.abortTransaction();
      const waited = !doneWhileOpen && commit === 'committed' && outcome.before?.last_batch === 'b1,b2' && batch === 2;
      const aborted = commit.startsWith('aborted') && batch === 0;
      const tookOver = lock?.holder?.worker_id === 'successor' && lock?.fence === FENCE + 1;
      return {
        pass: matched === 1 && (waited || aborted) && tookOver && staleMatched === 0,
        observed:
          `takeover ${doneWhileOpen ? 'finished while the transaction was open' : `waited until the commit (+${Math.max(0, (takeoverDoneAt ?? commitAt) - commitAt)} ms)`}; ` +
          `transaction ${commit}; batch ${batch}/2; lock ${show(lock?.holder?.worker_id)} fence ${show(lock?.fence)}` +
          (outcome.error ? `; takeover error ${describeError(outcome.error)}` : '') +
          `; stale holder's next lock write matched ${staleMatched}`,
      };
    } finally {
      await session.abortTransaction().catch(() => {});
      await session.endSession();
    }
  },
};

export const retryableWrites: RowDef = {
  id: 'retryable-writes',
  behaviour: 'a write retried with the same (lsid, txnNumber) is applied once',
  needs: 'a write retried after a failover or network error is not applied twice',
  doc: DOC.retryableWrites,
  transactions: true,
  async run(ctx) {
    const coll = rowCollection<Loose>(ctx, 'retryable-writes');
    // A client of its own: a pooled session may have used txnNumber 1 already, and the server refuses going back (225).
    const client = await ctx.newClient();
    const db = client.db(ctx.db.databaseName);
    const session = client.startSession();
    try {
      // Exactly what the driver resends when a retryable write's reply is lost.
      const command = { insert: coll.collectionName, documents: [{ _id: 'once' }], txnNumber: Long.fromNumber(1) };
      const first = await db.command(command, { session });
      const retry = await db.command(command, { session });
      const count = await coll.countDocuments({ _id: 'once' });
      const retryErrors = (retry.writeErrors as Document[] | undefined) ?? [];
      return {
        pass: first.n === 1 && retry.n === 1 && retryErrors.length === 0 && count === 1,
        observed: `first n ${show(first.n)}, retry n ${show(retry.n)}${retryErrors.length ? ` with error ${show(retryErrors[0]?.code)}` : ''}, ${count} document(s)`,
      };
    } finally {
      await session.endSession();
    }
  },
};

/** Named ids, so the observed text says which document did what. */
const OID = {
  dOlder: new ObjectId('000000000000000000000d01'),
  dUnstamped: new ObjectId('000000000000000000000d02'),
  dNewer: new ObjectId('000000000000000000000d03'),
  dDoomed: new ObjectId('000000000000000000000d04'),
  pOlder: new ObjectId('000000000000000000000e01'),
  pUnstamped: new ObjectId('000000000000000000000e02'),
  pMissing: new ObjectId('000000000000000000000e03'),
  pSame: new ObjectId('000000000000000000000e04'),
  pNewer: new ObjectId('000000000000000000000e05'),
};

/** The driver's client bulk write error says only that one happened; its cause is the server's answer. */
const describeCause = (error: unknown): string => describeError(error instanceof MongoClientBulkWriteError && error.cause ? error.cause : error);

const snapshotOf = (name: string, ids: ObjectId[]): WipeSnapshot => ({ names: [name], ids: new Map([[name, ids]]) });

export const BULK_WRITE_ROW = 'bulk-write-command';

export const bulkWriteCommand: RowDef = {
  id: BULK_WRITE_ROW,
  behaviour: "MongoDB 8.0's bulkWrite command in a transaction after the lock write: fenced deleteMany, then replaceOne upserts, ordered",
  needs:
    'older or unstamped documents deleted or replaced, newer-fenced kept; a newer-fenced upsert is E11000 on _id_ and aborts the whole transaction, lock write included; the commit has w: majority, the statement no write concern',
  doc: DOC.bulkWriteCommand,
  transactions: true,
  notApplicable: ({ hello }) =>
    Number(hello.maxWireVersion) >= BULK_WRITE_WIRE_VERSION
      ? undefined
      : `not applicable: MongoDB < 8.0 (maxWireVersion ${show(hello.maxWireVersion)}; the product sends the per-collection statements the other transaction rows check)`,
  async run(ctx) {
    const lock = rowCollection<Loose>(ctx, BULK_WRITE_ROW);
    const projects = rowCollection<Document>(ctx, BULK_WRITE_ROW, 'projects');
    const dashboards = rowCollection<Document>(ctx, BULK_WRITE_ROW, 'dashboards');
    await lock.insertOne({ _id: LOCK_ID, holder: holder('txn-holder'), fence: FENCE, lease_expires_at: new Date((await serverNow(ctx)).getTime() + 60_000) });
    await dashboards.insertMany([
      { _id: OID.dOlder, seeded_fence: FENCE - 1 },
      { _id: OID.dUnstamped },
      { _id: OID.dNewer, seeded_fence: FENCE + 6 },
      { _id: OID.dDoomed, seeded_fence: FENCE - 2 },
    ]);
    await projects.insertMany([
      { _id: OID.pOlder, seeded_fence: FENCE - 1, v: 'old' },
      { _id: OID.pUnstamped, v: 'platform' },
      { _id: OID.pSame, seeded_fence: FENCE, v: 'mine-before' },
      { _id: OID.pNewer, seeded_fence: FENCE + 6, v: 'successor' },
    ]);
    const seeded = (...ids: ObjectId[]): SeedDoc[] => ids.map((_id) => ({ _id, v: 'seeded' }));
    const session = ctx.client.startSession();
    /** One fenced batch as the product sends it: the lock write, the one bulkWrite, the commit. */
    const batch = (label: string, snapshot: WipeSnapshot, docs: SeedDoc[]) =>
      ctx.capture('commitTransaction', () =>
        ctx.capture('bulkWrite', async () => {
          session.startTransaction(TXN_OPTIONS);
          try {
            const touched = await lock.updateOne(mine(holder('txn-holder'), FENCE), { $set: { fenced_at: new Date(), batch: label } }, { session });
            if (touched.matchedCount !== 1) throw new Error(`the lock write matched ${touched.matchedCount}`);
            const { models } = oneCommandModels(ctx.db.databaseName, FENCE, snapshot, [[[projects.collectionName, docs]]], `run-${label}`, 'replace');
            const written = await ctx.client.bulkWrite(models, { session, ordered: true, verboseResults: true });
            await session.commitTransaction();
            return written;
          } catch (error) {
            // Sent only to see that the server aborted already: a commit must find no transaction.
            const commit = await session.commitTransaction().then(
              () => 'COMMITTED',
              (e: unknown) => `refused (${describeError(e)})`,
            );
            await session.abortTransaction().catch(() => {});
            throw Object.assign(error as object, { probeCommitAfterError: commit });
          }
        }),
      );
    try {
      // A holder's wipe (a late delete also lists the newer document) and reseed of fence 3.
      const first = await batch(
        'first',
        snapshotOf(dashboards.collectionName, [OID.dOlder, OID.dUnstamped, OID.dNewer]),
        seeded(OID.pOlder, OID.pUnstamped, OID.pMissing, OID.pSame),
      );
      const inner = first.value;
      if (!inner || inner.error) return { pass: false, observed: `the first batch failed: ${describeCause(inner?.error ?? first.error)}` };
      const sent = inner.sent[0];
      const commit = first.sent.at(-1);
      const shapeOk = sent?.autocommit === false && sent.writeConcern === undefined && sent.ordered === true && commit?.writeConcern?.w === 'majority';
      const leftD = (await dashboards.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();
      const stored = await projects.find({}).toArray();
      const replaced = [OID.pOlder, OID.pUnstamped, OID.pMissing, OID.pSame].filter((id) => {
        const d = stored.find((s) => String(s._id) === String(id));
        return d?.v === 'seeded' && d.seeded_fence === FENCE && d.seeded_run_id === 'run-first';
      }).length;
      const deletesOk = JSON.stringify(leftD) === JSON.stringify([OID.dNewer, OID.dDoomed].map(String).sort());

      // The same holder once a newer one stamped pNewer: the upsert collides and nothing lands.
      const second = await batch('second', snapshotOf(dashboards.collectionName, [OID.dDoomed]), seeded(OID.pNewer));
      const error = second.value?.error ?? second.error;
      const duplicate = error instanceof MongoClientBulkWriteError ? duplicateKeys(error)[0] : undefined;
      const collision = duplicate !== undefined && duplicate.index === 1 && isOnId(duplicate) && /index: _id_ /.test(duplicate.message);
      const commitAfter = (error as { probeCommitAfterError?: string } | undefined)?.probeCommitAfterError ?? 'not tried';
      const lockAfter = await lock.findOne({ _id: LOCK_ID });
      const doomedKept = (await dashboards.countDocuments({ _id: OID.dDoomed })) === 1;
      const newer = await projects.findOne({ _id: OID.pNewer });
      const abortedAll = commitAfter.startsWith('refused') && lockAfter?.batch === 'first' && doomedKept && newer?.v === 'successor';
      return {
        pass: shapeOk && deletesOk && replaced === 4 && collision && abortedAll,
        observed:
          `bulkWrite sent ${sent?.autocommit === false ? 'in the transaction' : 'OUTSIDE the transaction'}, write concern ${show(sent?.writeConcern)}, ordered ${show(sent?.ordered)}; commit w ${show(commit?.writeConcern?.w)}; ` +
          `left in dashboards ${leftD.length} (newer and untouched expected 2), ${replaced}/4 projects replaced; ` +
          `newer-fenced upsert: ${duplicate ? `#${duplicate.index} E11000 ${isOnId(duplicate) ? 'on _id_' : 'NOT on _id'}` : error ? describeCause(error) : 'NO error'}; ` +
          `commit after it ${commitAfter}; lock write ${lockAfter?.batch === 'first' ? 'rolled back' : 'LANDED'}, delete ${doomedKept ? 'rolled back' : 'LANDED'}, newer ${newer?.v === 'successor' ? 'kept' : 'OVERWRITTEN'}`,
      };
    } finally {
      await session.abortTransaction().catch(() => {});
      await session.endSession();
    }
  },
};

import { Long, type ClientSession, type Document } from 'mongodb';
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

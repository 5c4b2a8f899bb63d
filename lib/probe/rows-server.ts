import type { CommandStartedEvent } from 'mongodb';
import { describeError } from './commands';
import { rowCollection, type RowDef } from './context';
import { DOC } from './docs-urls';

/** 4.4: duplicate-key errors name keyPattern/keyValue, the server adds RetryableWriteError labels, commitQuorum exists. */
const MIN_VERSION: [number, number] = [4, 4];

function atLeast(version: string, [major, minor]: [number, number]): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj > major || (maj === major && min >= minor);
}

export const serverClock: RowDef = {
  id: 'server-clock',
  behaviour: 'hello.localTime is the server clock',
  needs: 'a date to compare every lease time against, so host clock skew cannot shorten a lease',
  doc: DOC.hello,
  async run(ctx) {
    const sentAt = Date.now();
    const reply = await ctx.client.db('admin').command({ hello: 1 });
    const receivedAt = Date.now();
    if (!(reply.localTime instanceof Date))
      return { pass: false, observed: `localTime is ${reply.localTime === undefined ? 'missing' : typeof reply.localTime}` };
    const skew = Math.round(reply.localTime.getTime() - (sentAt + receivedAt) / 2);
    return { pass: true, observed: `a date, ${skew >= 0 ? '+' : ''}${skew} ms from this host's clock` };
  },
};

export const topologyRow: RowDef = {
  id: 'topology',
  behaviour: 'hello: setName = replica set, msg "isdbgrid" = sharded, else standalone',
  needs: `a writable primary, MongoDB ${MIN_VERSION.join('.')} or newer`,
  doc: DOC.hello,
  async run(ctx) {
    const writable = ctx.hello.isWritablePrimary === true || ctx.hello.ismaster === true;
    const where = ctx.topology === 'replica-set' ? `replica set "${String(ctx.hello.setName)}"` : ctx.topology;
    const observed = `${where}, ${writable ? 'writable primary' : 'NOT a writable primary'}, MongoDB ${ctx.serverVersion}`;
    return { pass: writable && atLeast(ctx.serverVersion, MIN_VERSION), observed };
  },
};

export const readPrimary: RowDef = {
  id: 'read-primary',
  behaviour: 'readPreference "primary" set on the client overrides the URI',
  needs: 'every read goes to the primary, even with readPreference=secondaryPreferred in the URI',
  doc: DOC.readPreference,
  async run(ctx) {
    const client = await ctx.newClient({ readPreferenceInUri: 'secondaryPreferred' });
    const started: CommandStartedEvent[] = [];
    client.on('commandStarted', (event) => started.push(event));
    const hello = await client.db('admin').command({ hello: 1 });
    await client.db(ctx.db.databaseName).collection(rowCollection(ctx, 'read-primary').collectionName).findOne({});
    const find = started.find((e) => e.commandName === 'find');
    const helloAt = started.find((e) => e.commandName === 'hello')?.address;
    const mode = (find?.command.$readPreference as { mode?: string } | undefined)?.mode ?? 'primary (none sent)';
    // Behind mongos any router forwards to the shard primaries; on a replica set it must be the primary itself.
    const onPrimary = hello.isWritablePrimary === true && (ctx.topology === 'sharded' || find?.address === helloAt);
    return {
      pass: Boolean(find) && onPrimary && (mode === 'primary' || mode === 'primary (none sent)'),
      observed: `find sent with readPreference ${mode} to ${find?.address ?? '?'}${onPrimary ? ', the writable primary' : ', not the primary'}`,
    };
  },
};

export const writeConcernMajority: RowDef = {
  id: 'write-concern-majority',
  behaviour: 'writes acknowledged with { w: "majority", j: true, wtimeout }',
  needs: 'lock, state and seed writes acknowledged only once durable on a majority, bounded in time',
  doc: DOC.writeConcern,
  async run(ctx) {
    const coll = rowCollection(ctx, 'write-concern-majority');
    const insert = await ctx.capture('insert', () => coll.insertOne({ _id: 'wc-insert', at: new Date() }));
    const update = await ctx.capture('findAndModify', () =>
      coll.findOneAndUpdate({ _id: 'wc-lock' }, { $set: { at: new Date() } }, { upsert: true, returnDocument: 'after' }),
    );
    let wtimeout = 0;
    for (const [what, result] of [
      ['insert', insert],
      ['findAndModify', update],
    ] as const) {
      if (result.error) return { pass: false, observed: `${what}: ${describeError(result.error)}` };
      const sent = result.sent[0]?.writeConcern as { w?: unknown; j?: unknown; wtimeout?: unknown } | undefined;
      if (sent?.w !== 'majority' || sent?.j !== true || typeof sent?.wtimeout !== 'number' || sent.wtimeout <= 0) {
        return { pass: false, observed: `${what} was sent with writeConcern ${JSON.stringify(sent)}` };
      }
      wtimeout = sent.wtimeout;
      const wce = result.replies[0]?.writeConcernError as { code?: number; errmsg?: string } | undefined;
      if (wce) return { pass: false, observed: `${what}: writeConcernError ${wce.code}: ${wce.errmsg}` };
    }
    return { pass: true, observed: `insert and findAndModify acknowledged with w: majority, j: true, wtimeout ${wtimeout} ms` };
  },
};

export const readConcernMajority: RowDef = {
  id: 'read-concern-majority',
  behaviour: 'find with readConcern "majority" sees a majority-acknowledged write',
  needs: "waiters' polls and the lease check read only majority-committed lock and state",
  doc: DOC.readConcernMajority,
  async run(ctx) {
    const coll = rowCollection(ctx, 'read-concern-majority');
    await coll.insertOne({ _id: 'rc-doc', fence: 3 });
    const read = await ctx.capture('find', () => coll.findOne({ _id: 'rc-doc' }, { readConcern: { level: 'majority' } }));
    if (read.error) return { pass: false, observed: describeError(read.error) };
    const level = (read.sent[0]?.readConcern as { level?: string } | undefined)?.level;
    const fence = (read.value as { fence?: number } | null)?.fence;
    return {
      pass: level === 'majority' && fence === 3,
      observed: `read with readConcern ${level ?? 'none'}: ${fence === 3 ? 'saw the write' : 'did not see the write'}`,
    };
  },
};

export const clientTimeout: RowDef = {
  id: 'client-timeout',
  behaviour: 'maxTimeMS ends an operation that waits, and the client gives up on its own',
  needs: 'no operation blocks forever: a time limit on the server and a client-side bound',
  doc: DOC.maxTimeMS,
  async run(ctx) {
    const coll = rowCollection(ctx, 'client-timeout');
    await coll.insertOne({ _id: 'held' });
    const find = await ctx.capture('find', () => coll.find({}, { maxTimeMS: ctx.timeoutMs }).toArray());
    if (find.error) return { pass: false, observed: `a find with maxTimeMS: ${describeError(find.error)}` };
    if (find.sent[0]?.maxTimeMS !== ctx.timeoutMs) return { pass: false, observed: 'the driver did not send maxTimeMS' };
    if (ctx.topology === 'standalone') {
      return { pass: true, observed: 'maxTimeMS sent and accepted (nothing waits on a standalone to time out against)' };
    }
    // A write outside a transaction waits for the transaction that holds its document: the natural wait to time out.
    const session = ctx.client.startSession();
    const limitMs = 300;
    const clientBoundMs = Math.max(2_000, limitMs * 6);
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'held' }, { $set: { by: 'transaction' } }, { session });
      const startedAt = Date.now();
      let outcome = 'completed while the transaction held the document';
      let ended = false;
      try {
        const reply = await ctx.db.command(
          { update: coll.collectionName, updates: [{ q: { _id: 'held' }, u: { $set: { by: 'outside' } } }], maxTimeMS: limitMs },
          { signal: AbortSignal.timeout(clientBoundMs) },
        );
        // A raw command reports a statement's failure in writeErrors rather than throwing.
        const writeError = (reply.writeErrors as Array<{ code?: number; errmsg?: string }> | undefined)?.[0];
        if (writeError) {
          ended = true;
          outcome = `code ${writeError.code}: ${writeError.errmsg}`;
        }
      } catch (error) {
        ended = true;
        outcome = describeError(error);
      }
      const ms = Date.now() - startedAt;
      return { pass: ended && ms < clientBoundMs + 1_000, observed: `a write blocked by a transaction ended after ${ms} ms: ${outcome}` };
    } finally {
      await session.abortTransaction().catch(() => {});
      await session.endSession();
    }
  },
};

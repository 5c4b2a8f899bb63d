import type { Document, MongoClient } from 'mongodb';
import { describeError } from './commands';
import { connectProbe, withReadPreference } from './connect';
import type { Captured, ProbeContext, RowDef } from './context';
import { topologyOf } from '../db/topology';
import { probeReportSchema, type ProbeReport, type ProbeRow } from './report';
import { PROBE_ROWS } from './rows';
import { PROBE_DB_PATTERN, ProbeArgumentError, checkedScratchName } from './scratch-name';

export interface ProbeOptions {
  uri: string;
  /** A scratch database name of the probe's own form; a fresh one when absent. */
  database?: string;
  timeoutMs: number;
  raceWorkers?: number;
  /** Only these rows (by id), e.g. to check one behaviour again; every row when absent. */
  only?: readonly string[];
}

export const STANDALONE_SKIP = 'skipped: standalone (no transactions there; fencing is per document and best-effort)';

function capturer(client: MongoClient) {
  return async function capture<T>(command: string, run: () => Promise<T>): Promise<Captured<T>> {
    const captured: Captured<T> = { sent: [], replies: [] };
    const started = (e: { commandName: string; command: Document }) => e.commandName === command && captured.sent.push(e.command);
    const succeeded = (e: { commandName: string; reply: Document }) => e.commandName === command && captured.replies.push(e.reply);
    const failed = (e: { commandName: string; failure: Error }) =>
      e.commandName === command && captured.replies.push((e.failure as { errorResponse?: Document }).errorResponse ?? {});
    client.on('commandStarted', started);
    client.on('commandSucceeded', succeeded);
    client.on('commandFailed', failed);
    try {
      captured.value = await run();
    } catch (error) {
      captured.error = error;
    } finally {
      client.off('commandStarted', started);
      client.off('commandSucceeded', succeeded);
      client.off('commandFailed', failed);
    }
    return captured;
  };
}

/** A row that outlives its deadline fails; the runner closes its connections and moves on. */
function deadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

async function runRow(def: RowDef, base: Omit<ProbeContext, 'newClient'>, uri: string): Promise<ProbeRow> {
  const row = { id: def.id, behaviour: def.behaviour, needs: def.needs, doc: def.doc };
  if (def.transactions && base.topology === 'standalone') return { ...row, status: 'skipped', observed: STANDALONE_SKIP };
  const notApplicable = def.notApplicable?.(base);
  if (notApplicable) return { ...row, status: 'skipped', observed: notApplicable };
  const opened: MongoClient[] = [];
  const ctx: ProbeContext = {
    ...base,
    async newClient(options = {}) {
      const target = options.readPreferenceInUri ? withReadPreference(uri, options.readPreferenceInUri) : uri;
      const client = await connectProbe(target, base.timeoutMs, options.maxPoolSize ? { maxPoolSize: options.maxPoolSize } : {});
      opened.push(client);
      return client;
    },
  };
  try {
    const check = await deadline(def.run(ctx), 3 * base.timeoutMs + 5_000);
    return { ...row, status: check.pass ? 'pass' : 'fail', observed: check.observed };
  } catch (error) {
    return { ...row, status: 'fail', observed: `error: ${describeError(error)}` };
  } finally {
    await Promise.all(opened.map((c) => c.close().catch(() => {})));
  }
}

/** Drops the scratch database; a user without dropDatabase (readWrite only) can still drop each collection. */
async function dropScratch(client: MongoClient, database: string): Promise<boolean> {
  // The only drop the probe sends, and only to a name of its own form.
  if (!PROBE_DB_PATTERN.test(database)) return false;
  const db = client.db(database);
  try {
    await db.dropDatabase();
    return true;
  } catch {
    try {
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      for (const name of names) await db.dropCollection(name);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Runs every row on a scratch database of its own (created here, dropped at the end, also on
 * failure). Throws DatabaseUnreachableError or ProbeArgumentError when it cannot run at all.
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const database = checkedScratchName(options.database);
  const { timeoutMs } = options;
  const client = await connectProbe(options.uri, timeoutMs);
  let created = false;
  try {
    const admin = client.db('admin');
    const hello = await admin.command({ hello: 1 });
    const build = await admin.command({ buildInfo: 1 });
    const topology = topologyOf(hello);
    // The write concern comes from the product's client options, as every product write's does.
    const db = client.db(database);
    // Never a database it did not create: that is also the only kind it may drop.
    if ((await db.listCollections({}, { nameOnly: true }).toArray()).length > 0) {
      throw new ProbeArgumentError(`database ${database} already exists: the probe works only on a scratch database it creates`);
    }
    created = true;
    // Creates the scratch database; rows write only in collections of their own.
    await db.createCollection('probe');
    const base = {
      client,
      db,
      topology,
      hello,
      serverVersion: String(build.version),
      timeoutMs,
      raceWorkers: options.raceWorkers ?? 8,
      capture: capturer(client),
    };
    const rows: ProbeRow[] = [];
    for (const def of PROBE_ROWS) {
      if (!options.only || options.only.includes(def.id)) rows.push(await runRow(def, base, options.uri));
    }
    const dropped = await dropScratch(client, database);
    created = false;
    return probeReportSchema.parse({
      server_version: base.serverVersion,
      topology,
      transactional_fencing: topology !== 'standalone',
      database,
      dropped,
      rows,
      ok: rows.every((r) => r.status !== 'fail'),
    });
  } finally {
    if (created) await dropScratch(client, database);
    await client.close();
  }
}

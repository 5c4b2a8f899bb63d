import { MongoClient, type Document } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDb, startEmulator, type EmbeddedDb } from '../../lib/db/embedded';
import { probeReportSchema, type ProbeReport } from '../../lib/probe/report';
import { PROBE_ROWS } from '../../lib/probe/rows';
import { BULK_WRITE_ROW } from '../../lib/probe/rows-transactions';
import { withReadPreference } from '../../lib/probe/connect';
import { STANDALONE_SKIP, runProbe } from '../../lib/probe/run-probe';
import { checkedScratchName } from '../../lib/probe/scratch-name';
import { lastJsonLine, runCli } from '../support/cli';
import { mongoUri } from '../support/db';

/**
 * `npm run probe` as a real process against the emulator: it passes where the emulator keeps the
 * guarantees, and fails naming the row when a fault point breaks one.
 */

const TRANSACTION_ROWS = PROBE_ROWS.filter((r) => r.transactions).map((r) => r.id);
const ENV = { MONGODB_TIMEOUT_MS: '3000', MONGODB_URI: undefined };

async function probe(uri: string, args: string[] = [], env: Record<string, string | undefined> = {}) {
  const result = await runCli('probe', ['--uri', uri, '--json', ...args], { ...ENV, ...env });
  const report: ProbeReport = probeReportSchema.parse(lastJsonLine(result.stdout));
  return { ...result, report };
}

const statusOf = (report: ProbeReport, id: string) => report.rows.find((r) => r.id === id)?.status;
const failedIds = (report: ProbeReport) => report.rows.filter((r) => r.status === 'fail').map((r) => r.id);

async function probeDatabases(uri: string): Promise<string[]> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    const { databases } = await client.db('admin').command({ listDatabases: 1, nameOnly: true });
    return (databases as Array<{ name: string }>).map((d) => d.name).filter((n) => n.startsWith('depictio_probe_'));
  } finally {
    await client.close();
  }
}

describe('npm run probe: standalone emulator', () => {
  it('every row passes except the transaction rows, skipped with the reason; the scratch database is dropped', async () => {
    const { code, report, stderr } = await probe(mongoUri());
    expect(failedIds(report), stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.topology).toBe('standalone');
    expect(report.transactional_fencing).toBe(false);
    expect(report.rows.map((r) => r.id)).toEqual(PROBE_ROWS.map((r) => r.id));
    for (const id of TRANSACTION_ROWS) {
      expect(statusOf(report, id)).toBe('skipped');
      expect(report.rows.find((r) => r.id === id)?.observed).toBe(STANDALONE_SKIP);
    }
    expect(report.rows.filter((r) => r.status === 'pass')).toHaveLength(PROBE_ROWS.length - TRANSACTION_ROWS.length);
    expect(report.database).toMatch(/^depictio_probe_[a-f0-9]{6,}$/);
    expect(report.dropped).toBe(true);
    expect(await probeDatabases(mongoUri())).not.toContain(report.database);
  }, 90_000);

  it('prints a table of behaviour, needs, observed and result, then topology, fencing and version', async () => {
    const result = await runCli('probe', [], { ...ENV, MONGODB_URI: mongoUri() });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/Row\s+Behaviour\s+Needs\s+Observed\s+Result/);
    for (const row of PROBE_ROWS) expect(out).toContain(row.id);
    expect(out).toContain('Topology: standalone');
    expect(out).toMatch(/Transactional fencing: NOT available .*best-effort/);
    expect(out).toMatch(/Server version: \S+/);
    expect(out).toContain('Result: every behaviour the product needs holds');
  }, 90_000);
});

describe('npm run probe: replica-set emulator', () => {
  let rs: EmbeddedDb | undefined;

  beforeAll(async () => {
    rs = await startEmbeddedDb({ replSet: 'rs0' });
  });
  afterAll(async () => {
    await rs?.stop();
  });

  it('every row passes, the transaction rows included; the 8.0 bulkWrite row is not applicable below 8.0', async () => {
    const { code, report, stderr } = await probe(rs!.uri);
    expect(failedIds(report), stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.topology).toBe('replica-set');
    expect(report.transactional_fencing).toBe(true);
    for (const id of TRANSACTION_ROWS.filter((t) => t !== BULK_WRITE_ROW)) expect(statusOf(report, id)).toBe('pass');
    expect(statusOf(report, BULK_WRITE_ROW)).toBe('skipped');
    expect(report.rows.find((r) => r.id === BULK_WRITE_ROW)?.observed).toMatch(/^not applicable: MongoDB < 8\.0 \(maxWireVersion \d+;/);
    expect(report.rows.filter((r) => r.id !== BULK_WRITE_ROW).every((r) => r.status === 'pass')).toBe(true);
  }, 120_000);

  const failPoint = async (mode: unknown, data: Document) => {
    const admin = new MongoClient(rs!.uri, { serverSelectionTimeoutMS: 5_000, appName: 'probe-test' });
    try {
      await admin.db('admin').command({ configureFailPoint: 'failCommand', mode, data: { appName: 'depictio-probe', ...data } });
    } finally {
      await admin.close();
    }
  };
  afterEach(async () => {
    await failPoint('off', {});
  });

  it('a write whose reply is lost is retried by the driver and applied once: the probe still passes', async () => {
    // The first insert is write-concern-majority's: executed, then the connection closes unanswered.
    await failPoint({ times: 1 }, { failCommands: ['insert'], closeConnectionAfterWrite: true });
    const { code, report, stderr } = await probe(rs!.uri);
    expect(failedIds(report), stderr).toEqual([]);
    expect(code).toBe(0);
  }, 120_000);

  it('a commit that fails leaves the batch out, and txn-rollback is the row that fails', async () => {
    // The first commit is txn-rollback's (client-timeout only aborts).
    await failPoint({ times: 1 }, { failCommands: ['commitTransaction'], errorCode: 112, errorLabels: ['TransientTransactionError'] });
    const { code, report } = await probe(rs!.uri);
    expect(code).toBe(1);
    expect(failedIds(report)).toEqual(['txn-rollback']);
    expect(report.rows.find((r) => r.id === 'txn-rollback')?.observed).toMatch(/112|WriteConflict/);
  }, 120_000);
});

describe('npm run probe: replica-set emulator started as MongoDB 8.0 (wire version 25)', () => {
  let rs8: EmbeddedDb | undefined;
  let admin: MongoClient | undefined;

  beforeAll(async () => {
    rs8 = await startEmulator({ replSet: 'rs8', wireVersion: 25 });
    admin = new MongoClient(rs8.uri, { serverSelectionTimeoutMS: 5_000, appName: 'probe-test' });
  });
  afterEach(async () => {
    await admin?.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off', data: {} });
  });
  afterAll(async () => {
    await admin?.close();
    await rs8?.stop();
  });

  it("every row passes, bulk-write-command included: the product's one-command batch keeps its fences and aborts whole", async () => {
    const { code, report, stderr } = await probe(rs8!.uri);
    expect(failedIds(report), stderr).toEqual([]);
    expect(code).toBe(0);
    const row = report.rows.find((r) => r.id === BULK_WRITE_ROW);
    expect(row?.status, row?.observed).toBe('pass');
    expect(row?.observed).toMatch(/in the transaction, write concern none, ordered true; commit w "majority"/);
    expect(row?.observed).toMatch(/#1 E11000 on _id_; commit after it refused .*lock write rolled back, delete rolled back, newer kept/);
    expect(report.rows.every((r) => r.status === 'pass')).toBe(true);
  }, 120_000);

  it('a server whose bulkWrite fails makes the probe fail naming bulk-write-command', async () => {
    await admin!
      .db('admin')
      .command({ configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { appName: 'depictio-probe', failCommands: ['bulkWrite'], errorCode: 8 } });
    const { code, report } = await probe(rs8!.uri);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(failedIds(report)).toEqual([BULK_WRITE_ROW]);
    expect(report.rows.find((r) => r.id === BULK_WRITE_ROW)?.observed).toMatch(/the first batch failed: code 8/);
  }, 120_000);
});

describe('npm run probe: a server that breaks a guarantee', () => {
  let faulty: EmbeddedDb;
  let admin: MongoClient;

  const failPoint = (mode: unknown, data: Document) =>
    admin.db('admin').command({ configureFailPoint: 'failCommand', mode, data: { appName: 'depictio-probe', ...data } });

  beforeAll(async () => {
    faulty = await startEmbeddedDb();
    admin = new MongoClient(faulty.uri, { serverSelectionTimeoutMS: 5_000, appName: 'probe-test' });
  });
  afterEach(async () => {
    await failPoint('off', {});
  });
  afterAll(async () => {
    await admin?.close();
    await faulty?.stop();
  });

  it('a majority write that comes back with a writeConcernError fails write-concern-majority', async () => {
    await failPoint({ times: 1 }, { failCommands: ['insert'], writeConcernError: { code: 64, errmsg: 'waiting for replication timed out' } });
    const { code, report } = await probe(faulty.uri);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(failedIds(report)).toEqual(['write-concern-majority']);
    expect(report.rows.find((r) => r.id === 'write-concern-majority')?.observed).toMatch(/64/);
    expect(await probeDatabases(faulty.uri)).toEqual([]);
  }, 90_000);

  it('a write whose reply is lost fails on a standalone, which has no retryable writes', async () => {
    // The same fault the replica-set test survives: here nothing retries it.
    await failPoint({ times: 1 }, { failCommands: ['insert'], closeConnectionAfterWrite: true });
    const { code, report } = await probe(faulty.uri);
    expect(code).toBe(1);
    expect(failedIds(report)).toEqual(['write-concern-majority']);
    expect(report.rows.find((r) => r.id === 'write-concern-majority')?.observed).toMatch(/closed/);
  }, 90_000);

  it('an acquire refused with another error than E11000 fails the row that needs the collision', async () => {
    // Every acquire on a live lease must collide on _id; here the server answers something else.
    await failPoint('alwaysOn', { failCommands: ['findAndModify'], errorCode: 8 });
    const { code, report } = await probe(faulty.uri);
    expect(code).toBe(1);
    for (const id of ['acquire-insert', 'acquire-live-collides', 'acquire-race', 'renew-release-fenced', 'state-push-slice']) {
      expect(statusOf(report, id), id).toBe('fail');
    }
    expect(report.rows.find((r) => r.id === 'acquire-live-collides')?.observed).toMatch(/code 8/);
    // Rows that send no findAndModify still pass: the failure is named, not spread.
    for (const id of ['server-clock', 'read-concern-majority', 'wipe-fenced-delete', 'seed-fenced-upsert']) expect(statusOf(report, id), id).toBe('pass');
  }, 90_000);

  it('the acquire race with one racer parked between its match and its insert while the others run: one winner, the parked one collides', async () => {
    const database = 'depictio_probe_0a11ce5';
    // The first acquire of the race that finds no lock stops there; the other seven run meanwhile.
    await failPoint({ times: 1 }, { failCommands: ['findAndModify'], splitUpsert: true, holdUntilReleased: 'probe-race' });
    const running = runProbe({ uri: faulty.uri, timeoutMs: 5_000, database, only: ['acquire-race'] });
    const status = () => admin.db('admin').command({ failPointStatus: 1 });
    const lock = () =>
      admin
        .db(database)
        .collection('acquire_race__initialization')
        .findOne({ _id: 'init_lock' as never });
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; i < 200; i += 1) {
        if (await ok()) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`never: ${what}`);
    };
    await until('a racer parked', async () => ((await status()).parked as Document[]).some((p) => p.label === 'probe-race'));
    // Another racer inserted the lock while the parked one had matched nothing.
    await until('another racer holds the lock', async () => Boolean((await lock())?.holder));
    expect((await admin.db('admin').command({ releaseFailPoint: 'probe-race' })).released).toBe(1);
    const report = await running;
    const row = report.rows.find((r) => r.id === 'acquire-race');
    expect(report.rows.map((r) => r.id)).toEqual(['acquire-race']);
    expect(row?.status, row?.observed).toBe('pass');
    expect(row?.observed).toMatch(/5 single winners, 35 × E11000 on _id, fences 1, 2, 3, 4, 5/);
    expect(await probeDatabases(faulty.uri)).toEqual([]);
  }, 90_000);

  it('a server that stops answering fails that row within the client timeout, and the scratch database is still dropped', async () => {
    await failPoint({ times: 1 }, { failCommands: ['findAndModify'], blockConnection: true, blockTimeMS: 30_000 });
    const { code, report, ms } = await probe(faulty.uri, [], { MONGODB_TIMEOUT_MS: '1000' });
    expect(code).toBe(1);
    expect(failedIds(report)).toEqual(['write-concern-majority']);
    expect(report.rows.find((r) => r.id === 'write-concern-majority')?.observed).toMatch(/no result within|timed out/i);
    expect(ms).toBeLessThan(25_000);
    expect(await probeDatabases(faulty.uri)).toEqual([]);
  }, 90_000);
});

describe("the probe's own rules", () => {
  it('makes fresh scratch names of its own form and refuses any other', () => {
    const a = checkedScratchName(undefined);
    expect(a).toMatch(/^depictio_probe_[a-f0-9]{12}$/);
    expect(checkedScratchName(undefined)).not.toBe(a);
    expect(checkedScratchName('depictio_probe_abc123')).toBe('depictio_probe_abc123');
    for (const name of ['depictioDB', 'admin', 'depictio_probe_abc12', 'depictio_probe_abc123x', 'x_depictio_probe_abc123']) {
      expect(() => checkedScratchName(name), name).toThrow(/--db must name a probe's scratch database/);
    }
  });

  it('replaces the read preference of any URI form, keeping its other options', () => {
    expect(withReadPreference('mongodb://127.0.0.1:27017', 'secondaryPreferred')).toBe('mongodb://127.0.0.1:27017/?readPreference=secondaryPreferred');
    expect(withReadPreference('mongodb+srv://u:p%40ss@c0.example.net/app?retryWrites=true&readPreference=nearest', 'secondary')).toBe(
      'mongodb+srv://u:p%40ss@c0.example.net/app?retryWrites=true&readPreference=secondary',
    );
    expect(withReadPreference('mongodb://a:1,b:2/?replicaSet=rs0', 'secondary')).toBe('mongodb://a:1,b:2/?replicaSet=rs0&readPreference=secondary');
  });
});

describe('npm run probe: cannot run', () => {
  it('exit 2 on an unreachable server, without printing the password', async () => {
    const result = await runCli('probe', ['--uri', 'mongodb://probe:s3cret-pass@127.0.0.1:1/'], { ...ENV, MONGODB_TIMEOUT_MS: '500' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot reach MongoDB at mongodb://probe:***@127.0.0.1:1');
    expect(result.stdout + result.stderr).not.toContain('s3cret-pass');
  }, 60_000);

  it('exit 2 on a --db that is not a probe scratch name, and nothing is created', async () => {
    for (const name of ['depictioDB', 'depictio_probe_', 'depictio_probe_ABCDEF', 'depictio_probe_12345']) {
      const result = await runCli('probe', ['--uri', mongoUri(), '--db', name], ENV);
      expect(result.code, name).toBe(2);
      expect(result.stderr).toMatch(/--db must name a probe's scratch database/);
    }
    expect(await probeDatabases(mongoUri())).toEqual([]);
  }, 60_000);

  it('exit 2 with no URI at all, and on arguments it does not know', async () => {
    const none = await runCli('probe', [], ENV);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/MONGODB_URI is not set/);
    const unknown = await runCli('probe', ['--drop-everything'], { ...ENV, MONGODB_URI: mongoUri() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/usage: npm run probe/);
  }, 60_000);

  it('exit 2 on a --db that already exists, which is left as it was', async () => {
    const name = 'depictio_probe_5ca1ab1e';
    const client = new MongoClient(mongoUri(), { serverSelectionTimeoutMS: 5_000 });
    try {
      await client
        .db(name)
        .collection('someone_elses')
        .insertOne({ _id: 'keep' as never });
      const result = await runCli('probe', ['--uri', mongoUri(), '--db', name], ENV);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/already exists/);
      expect(await client.db(name).collection('someone_elses').countDocuments()).toBe(1);
    } finally {
      await client.db(name).dropDatabase();
      await client.close();
    }
  }, 60_000);

  it('a --db of the probe form is used, then dropped', async () => {
    const name = 'depictio_probe_00c0ffee';
    const { code, report } = await probe(mongoUri(), ['--db', name]);
    expect(report.database).toBe(name);
    expect(code).toBe(report.ok ? 0 : 1);
    expect(await probeDatabases(mongoUri())).toEqual([]);
  }, 90_000);
});

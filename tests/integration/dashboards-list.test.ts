/**
 * The dashboards list on the emulator over a socket: search, filters, every sort in both
 * directions with keyset pages (ties everywhere: no page repeats or skips a dashboard), and the
 * audit cache behind it: reused across polls, re-run after a repair-style edit in place, after a
 * platform save, and after inserts and deletes.
 */
import os from 'node:os';
import { ObjectId, type Db, type Document } from 'mongodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedAuditDigest, clearAuditCache } from '../../lib/audit/cached-audit';
import type { DashboardDigest } from '../../lib/audit/digest';
import { loadDashboardsList } from '../../lib/console/audit-view';
import { DASHBOARD_SORTS, dashboardsQuerySchema, type DashboardsQuery } from '../../lib/console/dashboards-query';
import { loadOverview } from '../../lib/console/overview';
import { dashboardsListViewSchema } from '../../lib/console/views';
import { DASHBOARDS, INIT_HISTORY } from '../../lib/db/collections';
import { errorBodySchema } from '../../lib/http/error-body';
import { mongoUri, useTestDb } from '../support/db';
import { SEEDED_ADMIN, SEEDED_VIEWER, signedRequest } from '../support/session';
import { seedAs } from '../support/worker-options';

const { db, dbName } = useTestDb(import.meta.url);

const IRIS_DASHBOARD = '6824cb3b89d2b72169309737';
const STRAY = '0123456789abcdef01234567';
const COPIES = 41;

const query = (input: Record<string, string | number> = {}): DashboardsQuery => dashboardsQuerySchema.parse(input);

/** Copies of the iris dashboard with ties in every column: 5 titles, 2 owners, every third broken. */
async function addCopies(target: Db): Promise<void> {
  const iris = (await target.collection(DASHBOARDS).findOne({ _id: new ObjectId(IRIS_DASHBOARD) }))!;
  const owners = [SEEDED_ADMIN, SEEDED_VIEWER].map((u) => ({ _id: new ObjectId(u.userId), email: u.email, is_admin: u.role === 'admin' }));
  const copies = Array.from({ length: COPIES }, (_, i) => {
    const components = (iris.stored_metadata as Document[]).map((c, k) => (k === 0 && i % 3 === 0 ? { ...c, dc_id: new ObjectId(STRAY) } : c));
    return {
      ...iris,
      _id: new ObjectId(),
      title: `Copy ${i % 5}`,
      permissions: { ...iris.permissions, owners: [owners[i % 2]] },
      last_saved_ts: `2025-10-1${i % 3} 07:25:30`,
      stored_metadata: components,
    };
  });
  await target.collection(DASHBOARDS).insertMany(copies);
}

/** Every row of the list for `input`, page by page forwards (after) and backwards (before). */
async function walk(input: Record<string, string | number>): Promise<{ forwards: DashboardDigest[]; backwards: DashboardDigest[] }> {
  const forwards: DashboardDigest[] = [];
  let page = await loadDashboardsList(db(), query({ ...input, limit: 7 }));
  expect(page.prev).toBeNull();
  forwards.push(...page.rows);
  while (page.next) {
    page = await loadDashboardsList(db(), query({ ...input, limit: 7, after: page.next }));
    forwards.push(...page.rows);
  }
  const backwards: DashboardDigest[] = [...page.rows];
  while (page.prev) {
    page = await loadDashboardsList(db(), query({ ...input, limit: 7, before: page.prev }));
    backwards.unshift(...page.rows);
  }
  return { forwards, backwards };
}

const sortValue = (d: DashboardDigest, sort: string): string | number =>
  ({
    title: d.title,
    id: d.id,
    project: d.project_name ?? '',
    owner: d.owners[0] ?? '',
    tabs: d.tabs,
    components: d.counts.components,
    errors: d.counts.error,
    warnings: d.counts.warning,
    status: { clean: 0, warnings: 1, errors: 2 }[d.status],
    last_saved: d.last_saved ?? '',
  })[sort]!;

beforeAll(async () => {
  await seedAs(db(), 'list-g1', true);
  await addCopies(db());
});

beforeEach(() => clearAuditCache());

describe('the dashboards list', () => {
  it('every sort, both directions, pages of 7 with ties: each dashboard exactly once, in order, the same walked backwards', async () => {
    const all = (await loadDashboardsList(db(), query({ limit: 500 }))).rows.map((d) => d.id);
    expect(all).toHaveLength(COPIES + 3);
    const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
    for (const sort of DASHBOARD_SORTS) {
      for (const dir of ['asc', 'desc'] as const) {
        const { forwards, backwards } = await walk({ sort, dir });
        const ids = forwards.map((d) => d.id);
        expect(new Set(ids).size, `${sort} ${dir}: no repeats`).toBe(ids.length);
        expect([...ids].sort(), `${sort} ${dir}: no skips`).toEqual([...all].sort());
        expect(
          backwards.map((d) => d.id),
          `${sort} ${dir}: backwards`,
        ).toEqual(ids);
        for (let i = 1; i < forwards.length; i += 1) {
          const [a, b] = [sortValue(forwards[i - 1]!, sort), sortValue(forwards[i]!, sort)];
          const order = typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
          expect(dir === 'asc' ? order : -order, `${sort} ${dir} at ${i}`).toBeLessThanOrEqual(0);
          // Ties are ordered by id, in the direction of the sort.
          if (order === 0) expect(forwards[i - 1]!.id < forwards[i]!.id === (dir === 'asc'), `${sort} ${dir} tie at ${i}`).toBe(true);
        }
      }
    }
  });

  it('a page holds its place when dashboards before and after it appear and go away between pages', async () => {
    const first = await loadDashboardsList(db(), query({ sort: 'title', limit: 10 }));
    const shown = first.rows.map((d) => d.id);
    // One that sorts first (before the cursor) arrives; one shown already is deleted.
    const early = new ObjectId();
    await db()
      .collection(DASHBOARDS)
      .insertOne({
        _id: early,
        title: 'AAA first',
        project_id: first.rows[0]!.project_id ? new ObjectId(first.rows[0]!.project_id) : null,
        stored_metadata: [],
      });
    const gone = (await db()
      .collection(DASHBOARDS)
      .findOne({ _id: new ObjectId(shown[0]!) }))!;
    await db().collection(DASHBOARDS).deleteOne({ _id: gone._id });
    const rest = [];
    let page = await loadDashboardsList(db(), query({ sort: 'title', limit: 10, after: first.next! }));
    rest.push(...page.rows.map((d) => d.id));
    while (page.next) {
      page = await loadDashboardsList(db(), query({ sort: 'title', limit: 10, after: page.next }));
      rest.push(...page.rows.map((d) => d.id));
    }
    expect(rest.filter((id) => shown.includes(id))).toEqual([]);
    expect(rest).not.toContain(early.toHexString());
    expect(shown.length + rest.length).toBe(COPIES + 3);
    await db().collection(DASHBOARDS).deleteOne({ _id: early });
    await db().collection(DASHBOARDS).insertOne(gone);
  });

  it('search by title or id, filters by project, owner, status and reason, each alone and together', async () => {
    const everything = await loadDashboardsList(db(), query({ limit: 500 }));
    const expectIds = async (input: Record<string, string>, predicate: (d: DashboardDigest) => boolean) => {
      const view = await loadDashboardsList(db(), query({ limit: 500, ...input }));
      const want = everything.rows.filter(predicate).map((d) => d.id);
      expect(want.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(
        view.rows.map((d) => d.id),
        JSON.stringify(input),
      ).toEqual(want);
      expect(view.matched).toBe(want.length);
      expect(view.total).toBe(everything.total);
    };
    await expectIds({ q: 'copy 3' }, (d) => d.title === 'Copy 3');
    await expectIds({ q: IRIS_DASHBOARD.slice(10).toUpperCase() }, (d) => d.id === IRIS_DASHBOARD);
    const iris = everything.rows.find((d) => d.id === IRIS_DASHBOARD)!;
    await expectIds({ project: iris.project_id! }, (d) => d.project_id === iris.project_id);
    await expectIds({ owner: SEEDED_VIEWER.email }, (d) => d.owners.includes(SEEDED_VIEWER.email));
    await expectIds({ status: 'errors' }, (d) => d.status === 'errors');
    await expectIds(
      { status: 'clean', owner: SEEDED_ADMIN.email, q: 'copy' },
      (d) => d.status === 'clean' && d.owners.includes(SEEDED_ADMIN.email) && d.title.startsWith('Copy'),
    );

    // The needs-attention summary: the stray dc_id is one reason, with every broken copy under it.
    const stray = everything.attention.find((a) => a.reason.includes('matches no data collection'));
    expect(stray).toMatchObject({ status: 'error', reason: 'dc_id <id> matches no data collection', components: Math.ceil(COPIES / 3) });
    await expectIds({ reason: stray!.key }, (d) => d.title.startsWith('Copy') && d.counts.error > 0);
    expect(everything.choices.owners).toEqual(expect.arrayContaining([SEEDED_ADMIN.email, SEEDED_VIEWER.email]));
  });

  it('GET /api/audit/list answers the view for a viewer, and names every bad key in one 400', async () => {
    // The route reads its configuration on first use, like the console does.
    process.env.MONGODB_URI = mongoUri();
    process.env.MONGODB_DB = dbName;
    const { GET } = await import('../../app/api/audit/list/route');
    {
      const ok = await GET(await signedRequest('http://console.test/api/audit/list?status=errors&sort=errors&dir=desc&limit=5'));
      expect(ok.status).toBe(200);
      const view = dashboardsListViewSchema.parse(await ok.json());
      expect(view.rows).toHaveLength(5);
      expect(view.rows.every((d) => d.status === 'errors')).toBe(true);
      const bad = await GET(await signedRequest('http://console.test/api/audit/list?status=broken&sort=colour'));
      expect(bad.status).toBe(400);
      const { error } = errorBodySchema.parse(await bad.json());
      expect(error).toMatch(/status must be one of errors, warnings, clean/);
      expect(error).toMatch(/sort must be one of/);
    }
  });
});

describe('the audit cache behind the list and the overview', () => {
  /** A repair as H12B's makes it: a conditional update of one component in place, and its `repair` event. */
  async function repairLike(target: Db, tabId: string, position: number, before: unknown, after: unknown): Promise<void> {
    const result = await target
      .collection(DASHBOARDS)
      .updateOne({ _id: new ObjectId(tabId), [`stored_metadata.${position}.dc_id`]: before }, { $set: { [`stored_metadata.${position}.dc_id`]: after } });
    expect(result.modifiedCount).toBe(1);
    await target.collection(INIT_HISTORY).insertOne({
      at: new Date(),
      run_id: 'repair-test',
      generation: 'repair-test',
      worker_id: `admin:${SEEDED_ADMIN.email}`,
      host: os.hostname(),
      pid: process.pid,
      fence: null,
      event: 'repair',
      detail: { by: SEEDED_ADMIN.email, applied: [{ dashboard_id: tabId, position, field: 'dc_id' }] },
    });
  }

  it('is reused across polls, re-runs after a repair in place (no count moves but the history), and the overview follows', async () => {
    const first = await cachedAuditDigest(db());
    // Polls with nothing changed: the same digest, not a new audit (verified every time here).
    expect(await cachedAuditDigest(db())).toBe(first);
    expect(await cachedAuditDigest(db(), { verifyMs: 0 })).toBe(first);
    const iris = (await db()
      .collection(DASHBOARDS)
      .findOne({ _id: new ObjectId(IRIS_DASHBOARD) }))!;
    const original = (iris.stored_metadata as Document[])[0]!.dc_id as unknown;
    const errorsBefore = first.summary.error;
    const overviewBefore = await loadOverview(db());
    expect(overviewBefore.last_run?.invalid_components).toBe(errorsBefore);

    await repairLike(db(), IRIS_DASHBOARD, 0, original, new ObjectId(STRAY));
    // Within the verification interval: only the change key can see it, and it does (the history count).
    const after = await cachedAuditDigest(db(), { verifyMs: 60_000 });
    expect(after).not.toBe(first);
    expect(after.summary.error).toBe(errorsBefore + 1);
    expect(after.dashboards.find((d) => d.id === IRIS_DASHBOARD)?.status).toBe('errors');
    expect((await loadOverview(db())).last_run?.invalid_components).toBe(errorsBefore + 1);

    await repairLike(db(), IRIS_DASHBOARD, 0, new ObjectId(STRAY), original);
    expect((await cachedAuditDigest(db(), { verifyMs: 60_000 })).summary.error).toBe(errorsBefore);
  });

  it('sees a platform save (last_saved_ts, no history) at the next verification, not before; and inserts and deletes at once', async () => {
    const first = await cachedAuditDigest(db());
    const iris = (await db()
      .collection(DASHBOARDS)
      .findOne({ _id: new ObjectId(IRIS_DASHBOARD) }))!;
    const components = iris.stored_metadata as Document[];
    const broken = components.map((c, k) => (k === 0 ? { ...c, dc_id: new ObjectId(STRAY) } : c));
    await db()
      .collection(DASHBOARDS)
      .updateOne({ _id: iris._id }, { $set: { stored_metadata: broken, last_saved_ts: '2026-12-02 06:00:00.000000' } });
    // Verified a moment ago: the poll is answered from the cache without reading the dashboards.
    expect(await cachedAuditDigest(db(), { verifyMs: 60_000 })).toBe(first);
    const verified = await cachedAuditDigest(db(), { verifyMs: 0 });
    expect(verified).not.toBe(first);
    expect(verified.summary.error).toBe(first.summary.error + 1);
    await db()
      .collection(DASHBOARDS)
      .updateOne({ _id: iris._id }, { $set: { stored_metadata: components, last_saved_ts: iris.last_saved_ts } });

    const extra = new ObjectId();
    await db().collection(DASHBOARDS).insertOne({ _id: extra, title: 'new one', project_id: iris.project_id, stored_metadata: [] });
    const withExtra = await cachedAuditDigest(db(), { verifyMs: 60_000 });
    expect(withExtra.dashboards.some((d) => d.id === extra.toHexString())).toBe(true);
    await db().collection(DASHBOARDS).deleteOne({ _id: extra });
    expect((await cachedAuditDigest(db(), { verifyMs: 60_000 })).dashboards.some((d) => d.id === extra.toHexString())).toBe(false);
  });

  it('an edit that moves nothing it watches is seen after the age limit, re-audited in the background while polls keep the old digest', async () => {
    const first = await cachedAuditDigest(db());
    const iris = (await db()
      .collection(DASHBOARDS)
      .findOne({ _id: new ObjectId(IRIS_DASHBOARD) }))!;
    const original = (iris.stored_metadata as Document[])[0]!.dc_id as unknown;
    // By hand: no history event, no last_saved_ts, no count moves.
    await db()
      .collection(DASHBOARDS)
      .updateOne({ _id: iris._id }, { $set: { 'stored_metadata.0.dc_id': new ObjectId(STRAY) } });
    expect(await cachedAuditDigest(db(), { verifyMs: 0 })).toBe(first);
    const later = () => Date.now() + 10 * 60_000;
    // Past the age limit: this poll is answered at once with what is held, and the audit re-runs.
    expect(await cachedAuditDigest(db(), { now: later })).toBe(first);
    await expect.poll(async () => (await cachedAuditDigest(db(), { now: later })).summary.error, { timeout: 10_000 }).toBe(first.summary.error + 1);
    await db()
      .collection(DASHBOARDS)
      .updateOne({ _id: iris._id }, { $set: { 'stored_metadata.0.dc_id': original } });
  });

  it('concurrent polls share one audit run', async () => {
    const [a, b, c] = await Promise.all([cachedAuditDigest(db()), cachedAuditDigest(db()), cachedAuditDigest(db())]);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });
});

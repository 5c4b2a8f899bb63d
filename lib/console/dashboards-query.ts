// First: zod must be jitless in the browser before any schema is made (see jitless-zod.ts).
import './jitless-zod';
import { z } from 'zod';
import { attentionSummary, DIGEST_STATUSES, type DashboardDigest } from '../audit/digest';
import type { AuditDigest } from '../audit/run-audit';
import { wholeNumberSchema } from '../whole-number';
import { firstParam, queryString, type SearchParams } from './urls';
import type { DashboardsListView } from './views';

/**
 * The dashboards list: search, filters, sort and keyset pages over the cached audit digest
 * (lib/audit/cached-audit.ts). Free of server modules: the browser builds its API address from the
 * same keys. The page's URL carries every key, so a link reproduces a view.
 */

export const DASHBOARD_SORTS = ['title', 'id', 'project', 'owner', 'tabs', 'components', 'errors', 'warnings', 'status', 'last_saved'] as const;
export type DashboardSort = (typeof DASHBOARD_SORTS)[number];
export const DASHBOARDS_PER_PAGE = 50;

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);

export const dashboardsQuerySchema = z.object({
  q: text(200),
  project: text(200),
  owner: text(320),
  status: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.enum(DIGEST_STATUSES, { message: `status must be one of ${DIGEST_STATUSES.join(', ')}` }).optional()),
  reason: text(1000),
  sort: z.enum(DASHBOARD_SORTS, { message: `sort must be one of ${DASHBOARD_SORTS.join(', ')}` }).default('title'),
  dir: z.enum(['asc', 'desc'], { message: 'dir must be asc or desc' }).default('asc'),
  after: text(2000),
  before: text(2000),
  limit: wholeNumberSchema({ min: 1, max: 500 }).default(DASHBOARDS_PER_PAGE),
});
export type DashboardsQuery = z.output<typeof dashboardsQuerySchema>;
/** The URL keys of the list, in the order they are written. */
export const DASHBOARDS_QUERY_KEYS = Object.keys(dashboardsQuerySchema.shape) as Array<keyof DashboardsQuery>;

/** A dashboards page URL's list keys (the first value of each), as /api/audit/list and the page read them. */
export function dashboardsQueryEntries(params: SearchParams): Record<string, string | undefined> {
  return Object.fromEntries(DASHBOARDS_QUERY_KEYS.map((key) => [key, firstParam(params, key)]));
}

export function dashboardsApiUrl(params: SearchParams): string {
  return `/api/audit/list?${queryString(dashboardsQueryEntries(params))}`;
}

const STATUS_RANK = { clean: 0, warnings: 1, errors: 2 } as const;
type SortValue = string | number;

const sortValue: Record<DashboardSort, (d: DashboardDigest) => SortValue> = {
  title: (d) => d.title,
  id: (d) => d.id,
  project: (d) => d.project_name ?? d.project_id ?? '',
  owner: (d) => d.owners[0] ?? '',
  tabs: (d) => d.tabs,
  components: (d) => d.counts.components,
  errors: (d) => d.counts.error,
  warnings: (d) => d.counts.warning,
  status: (d) => STATUS_RANK[d.status],
  last_saved: (d) => d.last_saved ?? '',
};

// Case- and accent-insensitive, "Dashboard 9" before "Dashboard 10". Values it calls equal are
// ties, and ties are ordered by id: (value, id) is a total order, which keyset pages need.
const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
const compareValues = (a: SortValue, b: SortValue) => (typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b)));
const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Position {
  value: SortValue;
  id: string;
}

/** Ascending order of (value, id); `desc` is its exact reverse. */
function comparePositions(a: Position, b: Position): number {
  return compareValues(a.value, b.value) || compareIds(a.id, b.id);
}

function base64url(textIn: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(textIn)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(encoded: string): string {
  const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** A cursor names the sort it was made for: under another sort it means nothing and is ignored. */
export function encodeCursor(sort: DashboardSort, position: Position): string {
  return base64url(JSON.stringify([sort, position.value, position.id]));
}

export function decodeCursor(sort: DashboardSort, cursor: string | undefined): Position | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = z.tuple([z.string(), z.union([z.string(), z.number()]), z.string()]).safeParse(JSON.parse(fromBase64url(cursor)));
    return parsed.success && parsed.data[0] === sort ? { value: parsed.data[1], id: parsed.data[2] } : undefined;
  } catch {
    return undefined;
  }
}

/** Per digest (it is replaced, never changed, when the audit re-runs): its orders and menus, made once. */
const memo = new WeakMap<AuditDigest, { sorted: Map<DashboardSort, DashboardDigest[]>; extras?: Pick<DashboardsListView, 'attention' | 'choices'> }>();

function memoFor(digest: AuditDigest) {
  let entry = memo.get(digest);
  if (!entry) memo.set(digest, (entry = { sorted: new Map() }));
  return entry;
}

function sortedBy(digest: AuditDigest, sort: DashboardSort): DashboardDigest[] {
  const entry = memoFor(digest);
  let sorted = entry.sorted.get(sort);
  if (!sorted) {
    const value = sortValue[sort];
    sorted = [...digest.dashboards].sort((a, b) => comparePositions({ value: value(a), id: a.id }, { value: value(b), id: b.id }));
    entry.sorted.set(sort, sorted);
  }
  return sorted;
}

function extras(digest: AuditDigest): Pick<DashboardsListView, 'attention' | 'choices'> {
  const entry = memoFor(digest);
  if (!entry.extras) {
    const projects = new Map<string, string>();
    const owners = new Set<string>();
    for (const d of digest.dashboards) {
      if (d.project_id) projects.set(d.project_id, d.project_name ?? d.project_id);
      for (const owner of d.owners) owners.add(owner);
    }
    entry.extras = {
      attention: attentionSummary(digest.dashboards),
      choices: {
        projects: [...projects].map(([id, name]) => ({ id, name })).sort((a, b) => collator.compare(a.name, b.name)),
        owners: [...owners].sort(collator.compare),
      },
    };
  }
  return entry.extras;
}

function matcher(query: DashboardsQuery): (d: DashboardDigest) => boolean {
  const q = query.q?.toLowerCase();
  return (d) =>
    (!q || d.title.toLowerCase().includes(q) || d.id.toLowerCase().includes(q)) &&
    (!query.project || d.project_id === query.project) &&
    (!query.owner || d.owners.includes(query.owner)) &&
    (!query.status || d.status === query.status) &&
    (!query.reason || (d.reasons[query.reason] ?? 0) > 0);
}

/**
 * One page of the list: the dashboards matching the filters in (sort value, id) order, the page
 * after `after` or before `before`. A keyset page holds its place while the audit changes under
 * it: no dashboard is shown twice or skipped because another one appeared or went away.
 */
export function queryDashboards(digest: AuditDigest, query: DashboardsQuery): DashboardsListView {
  const value = sortValue[query.sort];
  const ascending = sortedBy(digest, query.sort).filter(matcher(query));
  const ordered = query.dir === 'asc' ? ascending : ascending.reverse();
  const sign = query.dir === 'asc' ? 1 : -1;
  const cmp = (d: DashboardDigest, p: Position) => sign * comparePositions({ value: value(d), id: d.id }, p);
  const after = decodeCursor(query.sort, query.after);
  const before = after ? undefined : decodeCursor(query.sort, query.before);
  let start = 0;
  let end = ordered.length;
  if (after) {
    start = firstIndex(ordered, (d) => cmp(d, after) > 0);
    end = Math.min(ordered.length, start + query.limit);
  } else if (before) {
    end = firstIndex(ordered, (d) => cmp(d, before) >= 0);
    start = Math.max(0, end - query.limit);
  } else {
    end = Math.min(ordered.length, query.limit);
  }
  const rows = ordered.slice(start, end);
  const cursor = (d: DashboardDigest | undefined) => (d ? encodeCursor(query.sort, { value: value(d), id: d.id }) : null);
  return {
    rows,
    matched: ordered.length,
    total: digest.dashboards.length,
    next: end < ordered.length ? cursor(rows.at(-1)) : null,
    // An empty page after the last dashboard went away still leads back, to what is before it.
    prev: start > 0 ? (cursor(rows[0]) ?? query.after ?? null) : null,
    summary: digest.summary,
    ...extras(digest),
  };
}

/** The first index at which `past` holds (it holds from there on: `ordered` is sorted); binary search. */
function firstIndex<T>(ordered: T[], past: (item: T) => boolean): number {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(ordered[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

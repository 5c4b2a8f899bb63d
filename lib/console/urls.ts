/** The API addresses a page reads, built the same way on the server (first render) and in the browser (polling). */

export const FILTER_KEYS = ['run', 'worker', 'event', 'from', 'to'] as const;
/** A page's search params as a server page receives them (its `searchParams` prop, awaited). */
export type PageSearchParams = Record<string, string | string[] | undefined>;
/** A page's search params, as a server page receives them or as the browser's URLSearchParams. */
export type SearchParams = PageSearchParams | URLSearchParams;

/** A search param's first value (a key given twice counts with its first); empty or absent, undefined. */
export function firstParam(params: SearchParams, key: string): string | undefined {
  const value = params instanceof URLSearchParams ? params.get(key) : params[key];
  const first = Array.isArray(value) ? value[0] : value;
  return first || undefined;
}

export function queryString(entries: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(entries)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  return search.toString();
}

export function filterEntries(params: SearchParams): Record<string, string | undefined> {
  return Object.fromEntries(FILTER_KEYS.map((key) => [key, firstParam(params, key)]));
}

export const RUNS_PER_PAGE = 5;
/** How far into the runs list a page may start (history-query.ts runsQuerySchema). */
export const MAX_RUNS_SKIP = 100_000;
export const EVENTS_PER_PAGE = 50;

/** The runs list's query for a workers page URL: what /api/runs reads (history-query.ts runsQuerySchema). */
export function runsApiQuery(params: SearchParams): Record<string, string | number | undefined> {
  return { ...filterEntries(params), skip: firstParam(params, 'runs_skip'), limit: RUNS_PER_PAGE };
}

/** The events table's query for a workers page URL: what /api/history reads (history-query.ts eventsQuerySchema). */
export function eventsApiQuery(params: SearchParams): Record<string, string | number | undefined> {
  return { ...filterEntries(params), before: firstParam(params, 'before'), after: firstParam(params, 'after'), limit: EVENTS_PER_PAGE };
}

export function runsApiUrl(params: SearchParams): string {
  return `/api/runs?${queryString(runsApiQuery(params))}`;
}

export function eventsApiUrl(params: SearchParams): string {
  return `/api/history?${queryString(eventsApiQuery(params))}`;
}

export function exportUrl(params: SearchParams, format: 'json' | 'csv'): string {
  return `/api/history/export?${queryString({ ...filterEntries(params), format })}`;
}

/** Where a signed-out visitor of `path` (with its query) is sent: the sign-in page, and back to `path` after. */
export function signInUrl(path: string): string {
  return `/sign-in?next=${encodeURIComponent(path)}`;
}

/** The API addresses a page reads, built the same way on the server (first render) and in the browser (polling). */

export const FILTER_KEYS = ['run', 'worker', 'event', 'from', 'to'] as const;
type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function get(params: Params, key: string): string | undefined {
  const value = params instanceof URLSearchParams ? params.get(key) : params[key];
  const first = Array.isArray(value) ? value[0] : value;
  return first || undefined;
}

export function queryString(entries: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(entries)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  return search.toString();
}

export function filterEntries(params: Params): Record<string, string | undefined> {
  return Object.fromEntries(FILTER_KEYS.map((key) => [key, get(params, key)]));
}

export const RUNS_PER_PAGE = 5;
export const EVENTS_PER_PAGE = 50;

export function runsApiUrl(params: Params): string {
  return `/api/runs?${queryString({ ...filterEntries(params), skip: get(params, 'runs_skip'), limit: RUNS_PER_PAGE })}`;
}

export function eventsApiUrl(params: Params): string {
  return `/api/history?${queryString({ ...filterEntries(params), before: get(params, 'before'), after: get(params, 'after'), limit: EVENTS_PER_PAGE })}`;
}

export function exportUrl(params: Params, format: 'json' | 'csv'): string {
  return `/api/history/export?${queryString({ ...filterEntries(params), format })}`;
}

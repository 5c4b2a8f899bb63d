import { queryOptions } from '@tanstack/react-query';
import { z } from 'zod';
import { dashboardsApiUrl } from '@/lib/console/dashboards-query';
import { eventsApiUrl, runsApiUrl, signInUrl, type SearchParams } from '@/lib/console/urls';
import {
  auditViewSchema,
  dashboardsListViewSchema,
  eventsPageSchema,
  overviewViewSchema,
  projectsViewSchema,
  runsPageSchema,
  statusViewSchema,
} from '@/lib/console/views';
import { errorBodySchema } from '@/lib/http/error-body';

/**
 * One queryOptions factory per view (key + fetcher + the view's schema), used by the pages'
 * prefetch on the server (lib/console loaders fill the same keys) and by the components in the
 * browser. No 'use client': server components import the keys.
 */

/** The answer of an API route when the database cannot be reached or the input is wrong: the guard's words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A view's JSON from its route, parsed with the view's schema: an answer of another shape is an error, not data. */
export async function fetchView<S extends z.ZodType>(url: string, schema: S): Promise<z.output<S>> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (response.status === 401 && typeof window !== 'undefined') {
    // The session expired while the page was open: sign in again and come back here.
    window.location.assign(signInUrl(window.location.pathname + window.location.search));
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, errorBodySchema.safeParse(body).data?.error ?? `${response.status} ${response.statusText}`);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(502, `${url.split('?')[0]} answered in an unexpected shape`);
  return parsed.data;
}

export const statusQuery = () => queryOptions({ queryKey: ['status'], queryFn: () => fetchView('/api/status', statusViewSchema) });

export const overviewQuery = () => queryOptions({ queryKey: ['overview'], queryFn: () => fetchView('/api/overview', overviewViewSchema) });

export const projectsQuery = () => queryOptions({ queryKey: ['projects'], queryFn: () => fetchView('/api/projects', projectsViewSchema) });

/** Every audit-derived view (the audit and the dashboards list) sits under this key: invalidate it after a repair. */
export const auditKeys = { all: ['audit'] as const };

export const auditQuery = (dashboardId?: string) =>
  queryOptions({
    queryKey: [...auditKeys.all, dashboardId ?? null],
    queryFn: () => fetchView(dashboardId ? `/api/audit?dashboard=${encodeURIComponent(dashboardId)}` : '/api/audit', auditViewSchema),
  });

/** The dashboards list for its URL's search, filters, sort and page; under auditKeys.all, so that invalidating the audit refreshes it. */
export const dashboardsListQuery = (params: SearchParams) => {
  const url = dashboardsApiUrl(params);
  return queryOptions({ queryKey: [...auditKeys.all, 'list', url], queryFn: () => fetchView(url, dashboardsListViewSchema) });
};

/** The workers page's runs for its URL's filters and page. */
export const runsQuery = (params: SearchParams) => {
  const url = runsApiUrl(params);
  return queryOptions({ queryKey: ['runs', url], queryFn: () => fetchView(url, runsPageSchema) });
};

/** The workers page's events for its URL's filters and keyset position. */
export const eventsQuery = (params: SearchParams) => {
  const url = eventsApiUrl(params);
  return queryOptions({ queryKey: ['events', url], queryFn: () => fetchView(url, eventsPageSchema) });
};

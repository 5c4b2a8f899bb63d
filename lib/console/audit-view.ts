import type { Db } from 'mongodb';
import { cachedAuditDigest } from '../audit/cached-audit';
import { DashboardNotFoundError, auditDatabase } from '../audit/run-audit';
import type { AuditReport } from '../audit/types';
import { HttpError } from '../http/guard';
import { queryDashboards, type DashboardsQuery } from './dashboards-query';
import type { DashboardsListView } from './views';

/** The dashboards views: the DC mapping audit of every dashboard, or of one (a 404 when it does not exist). */
export async function loadAudit(db: Db, dashboardId?: string): Promise<AuditReport> {
  return auditDatabase(db, { dashboardId }).catch((error: unknown) => {
    throw error instanceof DashboardNotFoundError ? new HttpError(404, error.message) : error;
  });
}

/** The dashboards list: a page of the cached audit (re-run only when the data changed). */
export async function loadDashboardsList(db: Db, query: DashboardsQuery): Promise<DashboardsListView> {
  return queryDashboards(await cachedAuditDigest(db), query);
}

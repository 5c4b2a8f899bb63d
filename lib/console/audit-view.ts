import type { Db } from 'mongodb';
import { DashboardNotFoundError, auditDatabase } from '../audit/run-audit';
import type { AuditReport } from '../audit/types';
import { HttpError } from '../http/guard';

/** The dashboards views: the DC mapping audit of every dashboard, or of one (a 404 when it does not exist). */
export async function loadAudit(db: Db, dashboardId?: string): Promise<AuditReport> {
  return auditDatabase(db, { dashboardId }).catch((error: unknown) => {
    throw error instanceof DashboardNotFoundError ? new HttpError(404, error.message) : error;
  });
}

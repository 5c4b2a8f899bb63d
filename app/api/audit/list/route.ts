// Relative imports (not @/): the integration tests import this handler as it is.
import { loadDashboardsList } from '../../../../lib/console/audit-view';
import { dashboardsQuerySchema } from '../../../../lib/console/dashboards-query';
import { sharedDb } from '../../../../lib/db/client';
import { guarded, parseQuery } from '../../../../lib/http/guard';

export const dynamic = 'force-dynamic';

/** GET /api/audit/list?q&project&owner&status&reason&sort&dir&after|before&limit: one page of the dashboards list (DashboardsListView). */
export const GET = guarded(async (request) => {
  const query = parseQuery(dashboardsQuerySchema, request.url);
  return Response.json(await loadDashboardsList(await sharedDb(), query), { headers: { 'Cache-Control': 'no-store' } });
});

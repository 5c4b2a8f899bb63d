// Relative imports (not @/): the integration tests import this handler as it is.
import { z } from 'zod';
import { auditCsv } from '../../../lib/audit/csv';
import { loadAudit } from '../../../lib/console/audit-view';
import { sharedDb } from '../../../lib/db/client';
import { guarded, parseQuery } from '../../../lib/http/guard';

export const dynamic = 'force-dynamic';

const auditQuerySchema = z.object({
  format: z.enum(['json', 'csv'], { message: 'format must be json or csv' }).default('json'),
  dashboard: z.string().trim().min(1).max(200).optional(),
});

/** GET /api/audit[?dashboard=ID][&format=json|csv]: the DC mapping audit, as JSON (AuditReport) or CSV. */
export const GET = guarded(async (request) => {
  const { format, dashboard } = parseQuery(auditQuerySchema, request.url);
  const report = await loadAudit(await sharedDb(), dashboard);
  const headers = { 'Cache-Control': 'no-store' };
  if (format === 'csv') {
    return new Response(auditCsv(report), {
      headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename=audit.csv' },
    });
  }
  return Response.json(report, { headers });
});

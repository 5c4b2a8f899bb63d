import { toCsvRow } from '../csv/to-csv-row';
import { suggestionText } from './suggestion-text';
import type { AuditReport } from './types';

export const AUDIT_CSV_COLUMNS = [
  'dashboard_id',
  'dashboard_title',
  'tab_id',
  'tab_title',
  'index',
  'position',
  'component_type',
  'title',
  'dc_id',
  'dc_tag',
  'project_id',
  'workflow',
  'status',
  'reasons',
  'suggested_fix',
] as const;

/** The report as CSV (RFC 4180, CRLF line ends): a header, then one row per component, reasons joined with "; ", then the suggested fix. */
export function auditCsv(report: AuditReport): string {
  let csv = toCsvRow(AUDIT_CSV_COLUMNS);
  for (const d of report.dashboards) {
    for (const row of d.components) {
      csv += toCsvRow([
        d.id,
        d.title,
        row.tab_id,
        row.tab_title,
        row.index,
        row.location.position,
        row.component_type,
        row.title,
        row.dc_id,
        row.dc_tag,
        row.project_id,
        row.workflow,
        row.status,
        row.reasons.join('; '),
        suggestionText(row.suggestion),
      ]);
    }
  }
  return csv;
}

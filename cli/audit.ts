/**
 * npm run audit -- [--json] [--dashboard ID]
 *
 * Validates every dashboard component's data collection mapping (or one dashboard's: its main tab
 * and child tabs) against MONGODB_URI / MONGODB_DB. Prints a table per dashboard and a summary
 * line, or with --json exactly one JSON document (the AuditReport). Exit 0: no error (warnings
 * allowed); 1: at least one component in error; 2: the audit could not run (the reason is printed).
 */
import { parseArgs } from 'node:util';
import { DashboardNotFoundError, auditDatabase } from '../lib/audit/run-audit';
import type { AuditReport, DashboardReport } from '../lib/audit/types';
import { connect } from '../lib/db/client';
import { parseConfig, requireMongoUri } from '../lib/env';
import { plural } from '../lib/history/plural';
import { fail } from './fail';

const USAGE = 'usage: npm run audit -- [--json] [--dashboard ID]';

const TABLE_HEADERS = ['Tab', 'Component type', 'DC id', 'DC tag', 'Status', 'Reason'] as const;

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
function aligned(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map(
    (r) =>
      indent +
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

function dashboardText(d: DashboardReport): string[] {
  const { counts } = d;
  const heading =
    `${d.title} (dashboard ${d.id}${d.project_name ? `, project "${d.project_name}"` : d.project_id ? `, project ${d.project_id}` : ''}): ` +
    `${plural(counts.components, 'component')}, ${counts.valid} valid, ${counts.warning} warning, ${counts.error} error, ${counts.na} n/a`;
  const cells = d.components.map((row) => [
    row.tab_title,
    row.component_type,
    row.dc_id ?? '-',
    row.dc_tag ?? '-',
    row.status,
    row.reasons.length === 0 ? '-' : row.reasons[0]! + (row.reasons.length > 1 ? ` (+${row.reasons.length - 1} more)` : ''),
  ]);
  const lines = [heading];
  if (cells.length > 0) lines.push(...aligned([[...TABLE_HEADERS], ...cells]));
  else lines.push('  (no components)');
  return lines;
}

function summaryLine(summary: AuditReport['summary']): string {
  return (
    `Summary: ${plural(summary.dashboards, 'dashboard')}, ${plural(summary.components, 'component')}: ` +
    `${summary.valid} valid, ${summary.warning} warning, ${summary.error} error, ${summary.na} n/a`
  );
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      dashboard: { type: 'string' },
    },
  });
  const cfg = parseConfig();
  const client = await connect({ uri: requireMongoUri(cfg), timeoutMs: cfg.MONGODB_TIMEOUT_MS, appName: 'depictio-init-console-audit' });
  let report: AuditReport;
  try {
    report = await auditDatabase(client.db(cfg.MONGODB_DB), { dashboardId: args.dashboard });
  } finally {
    await client.close();
  }
  if (args.json) {
    await write(`${JSON.stringify(report)}\n`);
  } else {
    const blocks = report.dashboards.map((d) => dashboardText(d).join('\n'));
    await write(`${[...blocks, summaryLine(report.summary)].join('\n\n')}\n`);
  }
  return report.summary.error > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof DashboardNotFoundError) {
      console.error(error.message);
      process.exit(2);
    }
    fail(error, USAGE);
  },
);

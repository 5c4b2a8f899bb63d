'use client';

import type { DashboardReport } from '@/lib/audit/types';
import { CopyValue } from './ui/copy-button';
import { StatusBadge } from './ui/status-badge';
import { Cell, Row, Table } from './ui/table';

/** One tab's components, one row each, reasons in words. */
export function ValidationTable({ rows, caption }: { rows: DashboardReport['components']; caption: string }) {
  if (rows.length === 0) return <p className="text-sm">No components to show.</p>;
  return (
    <Table caption={caption} columns={['Component type', 'Title', 'DC id', 'DC tag', 'Project · workflow', 'Status', 'Reasons']}>
      {rows.map((row) => (
        <Row key={`${row.tab_id}-${row.index}`} data-status={row.status}>
          <Cell>{row.component_type}</Cell>
          <Cell>{row.title ?? '—'}</Cell>
          <Cell>{row.dc_id ? <CopyValue value={row.dc_id} label={`DC id of ${row.title ?? row.component_type}`} /> : '—'}</Cell>
          <Cell>{row.dc_tag ?? '—'}</Cell>
          <Cell className="text-xs">{[row.project_name, row.workflow].filter(Boolean).join(' · ') || '—'}</Cell>
          <Cell>
            <StatusBadge status={row.status} />
          </Cell>
          <Cell className="text-xs">
            {row.reasons.length === 0 ? (
              '—'
            ) : (
              <ul className="list-disc space-y-0.5 pl-4">
                {row.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            )}
          </Cell>
        </Row>
      ))}
    </Table>
  );
}

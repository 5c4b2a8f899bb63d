'use client';

import type { ReactNode } from 'react';
import { fixChange } from '@/lib/audit/suggestion-text';
import type { ComponentRow, DashboardReport } from '@/lib/audit/types';
import { CopyValue } from './ui/copy-button';
import { StatusBadge } from './ui/status-badge';
import { Cell, Row, Table } from './ui/table';

/** What the audit proposes for a row: each fix as before → after with its reason, or "no fix known" with what was looked at. */
function SuggestedFix({ suggestion }: { suggestion: ComponentRow['suggestion'] }) {
  if (!suggestion) return '—';
  if (suggestion.none) {
    return (
      <details>
        <summary className="cursor-pointer">No fix known</summary>
        <ul className="mt-1 list-disc space-y-0.5 pl-4 text-zinc-600 dark:text-zinc-400">
          {suggestion.looked_at.map((what) => (
            <li key={what}>Looked at {what}</li>
          ))}
        </ul>
      </details>
    );
  }
  return (
    <ul className="space-y-1">
      {suggestion.fixes.map((fix) => (
        <li key={fix.field} data-confidence={fix.confidence}>
          <code className="break-all">{fixChange(fix)}</code>
          <span className="block text-zinc-600 dark:text-zinc-400">
            {fix.reason} ({fix.confidence} confidence)
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * One tab's components, one row each, reasons in words and the suggested fix. `rowActions`, when
 * given, adds a last column of the caller's controls per row (the repair controls, for admins).
 */
export function ValidationTable({
  rows,
  caption,
  rowActions,
}: {
  rows: DashboardReport['components'];
  caption: string;
  rowActions?: (row: ComponentRow) => ReactNode;
}) {
  if (rows.length === 0) return <p className="text-sm">No components to show.</p>;
  const columns = ['Component type', 'Title', 'DC id', 'DC tag', 'Project · workflow', 'Status', 'Reasons', 'Suggested fix'];
  return (
    <Table caption={caption} columns={rowActions ? [...columns, 'Actions'] : columns}>
      {rows.map((row) => (
        <Row key={`${row.tab_id}-${row.location.position}-${row.index}`} data-status={row.status}>
          <Cell>{row.component_type}</Cell>
          <Cell>{row.title ?? '—'}</Cell>
          {/* An id is read whole: the wide columns (reasons, fix) wrap instead, and the table scrolls sideways. */}
          <Cell className="min-w-[15rem]">{row.dc_id ? <CopyValue value={row.dc_id} label={`DC id of ${row.title ?? row.component_type}`} /> : '—'}</Cell>
          <Cell>{row.dc_tag ?? '—'}</Cell>
          <Cell className="text-xs">{[row.project_name, row.workflow].filter(Boolean).join(' · ') || '—'}</Cell>
          <Cell>
            <StatusBadge status={row.status} />
          </Cell>
          <Cell className="min-w-[16rem] text-xs">
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
          <Cell className="min-w-[16rem] text-xs">
            <SuggestedFix suggestion={row.suggestion} />
          </Cell>
          {rowActions ? <Cell>{rowActions(row)}</Cell> : null}
        </Row>
      ))}
    </Table>
  );
}

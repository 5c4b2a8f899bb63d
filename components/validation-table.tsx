'use client';

import type { DashboardReport } from '@/lib/audit/types';
import { CopyValue } from './ui/copy-button';
import { StatusBadge } from './ui/status-badge';

/** One tab's components, one row each, reasons in words. */
export function ValidationTable({ rows, caption }: { rows: DashboardReport['components']; caption: string }) {
  if (rows.length === 0) return <p className="text-sm">No components to show.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-zinc-200 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">Component type</th>
            <th scope="col" className="py-2 pr-3 font-medium">Title</th>
            <th scope="col" className="py-2 pr-3 font-medium">DC id</th>
            <th scope="col" className="py-2 pr-3 font-medium">DC tag</th>
            <th scope="col" className="py-2 pr-3 font-medium">Project · workflow</th>
            <th scope="col" className="py-2 pr-3 font-medium">Status</th>
            <th scope="col" className="py-2 font-medium">Reasons</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.tab_id}-${row.index}`} className="border-b border-zinc-100 align-top dark:border-zinc-800" data-status={row.status}>
              <td className="py-1.5 pr-3">{row.component_type}</td>
              <td className="py-1.5 pr-3">{row.title ?? '—'}</td>
              <td className="py-1.5 pr-3">{row.dc_id ? <CopyValue value={row.dc_id} label={`DC id of ${row.title ?? row.component_type}`} /> : '—'}</td>
              <td className="py-1.5 pr-3">{row.dc_tag ?? '—'}</td>
              <td className="py-1.5 pr-3 text-xs">{[row.project_name, row.workflow].filter(Boolean).join(' · ') || '—'}</td>
              <td className="py-1.5 pr-3">
                <StatusBadge status={row.status} />
              </td>
              <td className="py-1.5 text-xs">
                {row.reasons.length === 0 ? (
                  '—'
                ) : (
                  <ul className="list-disc space-y-0.5 pl-4">
                    {row.reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

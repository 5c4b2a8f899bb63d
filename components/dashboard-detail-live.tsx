'use client';

import { useQueryClient } from '@tanstack/react-query';
import { Download } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { LastRepair, RepairPlan } from '@/lib/repair/schemas';
import { useLive } from './live-query';
import { auditKeys, auditQuery } from './queries';
import { RepairControls } from './repair-controls';
import { RepairDialog } from './repair-dialog';
import { RepairFixButton } from './repair-fix-button';
import { Card } from './ui/card';
import { CopyValue } from './ui/copy-button';
import { StatusBadge } from './ui/status-badge';
import { UnreachableBanner } from './unreachable-banner';
import { ValidationTable } from './validation-table';

/** One dashboard's validation: each tab with its rows; problems only on request; export; an admin's repair controls. */
export function DashboardDetailLive({
  id,
  serverError,
  admin = false,
  lastRepair = null,
}: {
  id: string;
  serverError: string | null;
  /** Viewers see the suggested fixes in the table, but no repair control. */
  admin?: boolean;
  lastRepair?: LastRepair | null;
}) {
  const { data, error } = useLive(auditQuery(id));
  const [problemsOnly, setProblemsOnly] = useState(false);
  // One row's fix, planned by its Fix… button (repair-fix-button.tsx), reviewed and applied here.
  const [rowPlan, setRowPlan] = useState<RepairPlan | null>(null);
  const queryClient = useQueryClient();
  const router = useRouter();
  const problem = error?.message ?? (!data ? serverError : null);
  const dashboard = data?.dashboards[0];

  return (
    <div className="space-y-4">
      <UnreachableBanner error={problem} />
      {data && !dashboard && <p className="text-sm">No dashboard with id {id}.</p>}
      {dashboard && (
        <>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
            <span>
              Id <CopyValue value={dashboard.id} label="dashboard id" />
            </span>
            <span>Project {dashboard.project_name ?? dashboard.project_id ?? '—'}</span>
            <span className="flex gap-1" role="status">
              <StatusBadge status="valid" label={`${dashboard.counts.valid} valid`} />
              <StatusBadge status="warning" label={`${dashboard.counts.warning} warning`} />
              <StatusBadge status="error" label={`${dashboard.counts.error} error`} />
              <StatusBadge status="n/a" label={`${dashboard.counts.na} n/a`} />
            </span>
          </div>
          <div className="flex flex-wrap items-center gap-3">
            <label className="inline-flex items-center gap-2 text-sm">
              <input type="checkbox" className="focus-ring size-4" checked={problemsOnly} onChange={(e) => setProblemsOnly(e.target.checked)} />
              Problems only (warnings and errors)
            </label>
            {(['csv', 'json'] as const).map((format) => (
              <a
                key={format}
                href={`/api/audit?dashboard=${encodeURIComponent(id)}${format === 'csv' ? '&format=csv' : ''}`}
                download={`audit-${id}.${format}`}
                className="focus-ring inline-flex items-center gap-1 rounded-md px-2 py-1 text-sm ring-1 ring-zinc-300 hover:bg-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-800"
              >
                <Download aria-hidden="true" className="size-3.5" /> Export {format.toUpperCase()}
              </a>
            ))}
          </div>
          {admin && (
            <RepairControls
              dashboardId={dashboard.id}
              suggested={dashboard.components.filter((r) => r.suggestion && !r.suggestion.none).length}
              ids={[...new Set(dashboard.components.flatMap((r) => (r.dc_id ? [r.dc_id] : [])))]}
              lastRepair={lastRepair}
            />
          )}
          {dashboard.tabs.map((tab) => {
            const rows = dashboard.components.filter((r) => r.tab_id === tab.id && (!problemsOnly || r.status === 'warning' || r.status === 'error'));
            return (
              <Card key={tab.id} id={`tab-${tab.id}`} title={`${tab.is_main_tab ? 'Main tab' : `Tab ${tab.tab_order}`}: ${tab.title}`}>
                {tab.problems.length > 0 && (
                  <ul className="mb-2 text-sm text-red-800 dark:text-red-200">
                    {tab.problems.map((p) => (
                      <li key={p}>
                        <StatusBadge status="error" /> {p}
                      </li>
                    ))}
                  </ul>
                )}
                <ValidationTable
                  rows={rows}
                  caption={`Components of tab ${tab.title}`}
                  rowActions={admin ? (row) => <RepairFixButton dashboardId={dashboard.id} row={row} onPlan={setRowPlan} /> : undefined}
                />
              </Card>
            );
          })}
        </>
      )}
      {admin && (
        <RepairDialog
          plan={rowPlan}
          onClose={() => setRowPlan(null)}
          onApplied={() => {
            void queryClient.invalidateQueries({ queryKey: auditKeys.all });
            // The page's "undo last repair" comes from the server.
            router.refresh();
          }}
        />
      )}
    </div>
  );
}

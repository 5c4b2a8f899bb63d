'use client';

import Link from 'next/link';
import { useLive } from './live-query';
import { auditQuery } from './queries';
import { StatusBadge } from './ui/status-badge';
import { UnreachableBanner } from './unreachable-banner';

/** Every dashboard with its counts of valid, warning and error components. */
export function DashboardsLive({ serverError }: { serverError: string | null }) {
  const { data, error } = useLive(auditQuery());
  const problem = error?.message ?? (!data ? serverError : null);
  return (
    <div className="space-y-4">
      <UnreachableBanner error={problem} />
      {data && (
        <>
          <p className="text-sm" role="status">
            {data.summary.dashboards} dashboards, {data.summary.components} components: {data.summary.valid} valid, {data.summary.warning} warning,{' '}
            {data.summary.error} error, {data.summary.na} n/a.
          </p>
          <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Dashboards and the status of their components</caption>
              <thead className="border-b border-zinc-200 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">Dashboard</th>
                  <th scope="col" className="px-3 py-2 font-medium">Project</th>
                  <th scope="col" className="px-3 py-2 font-medium">Tabs</th>
                  <th scope="col" className="px-3 py-2 font-medium">Components</th>
                  <th scope="col" className="px-3 py-2 font-medium">Status</th>
                </tr>
              </thead>
              <tbody>
                {data.dashboards.map((d) => (
                  <tr key={d.id} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
                    <th scope="row" className="px-3 py-2 text-left font-medium">
                      <Link className="underline" href={`/dashboards/${d.id}`}>
                        {d.title}
                      </Link>
                    </th>
                    <td className="px-3 py-2">{d.project_name ?? d.project_id ?? '—'}</td>
                    <td className="px-3 py-2 tabular-nums">{d.tabs.length}</td>
                    <td className="px-3 py-2 tabular-nums">{d.counts.components}</td>
                    <td className="px-3 py-2">
                      <span className="flex flex-wrap gap-1">
                        <StatusBadge status="valid" label={`${d.counts.valid} valid`} />
                        {d.counts.warning > 0 && <StatusBadge status="warning" label={`${d.counts.warning} warning`} />}
                        {d.counts.error > 0 && <StatusBadge status="error" label={`${d.counts.error} error`} />}
                        {d.counts.na > 0 && <StatusBadge status="n/a" label={`${d.counts.na} n/a`} />}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

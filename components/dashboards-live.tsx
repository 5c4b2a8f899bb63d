'use client';

import Link from 'next/link';
import { useLive } from './live-query';
import { auditQuery } from './queries';
import { StatusBadge } from './ui/status-badge';
import { Cell, Row, RowHeader, Table } from './ui/table';
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
          <Table framed caption="Dashboards and the status of their components" columns={['Dashboard', 'Project', 'Tabs', 'Components', 'Status']}>
            {data.dashboards.map((d) => (
              <Row key={d.id}>
                <RowHeader>
                  <Link className="underline" href={`/dashboards/${d.id}`}>
                    {d.title}
                  </Link>
                </RowHeader>
                <Cell>{d.project_name ?? d.project_id ?? '—'}</Cell>
                <Cell className="tabular-nums">{d.tabs.length}</Cell>
                <Cell className="tabular-nums">{d.counts.components}</Cell>
                <Cell>
                  <span className="flex flex-wrap gap-1">
                    <StatusBadge status="valid" label={`${d.counts.valid} valid`} />
                    {d.counts.warning > 0 && <StatusBadge status="warning" label={`${d.counts.warning} warning`} />}
                    {d.counts.error > 0 && <StatusBadge status="error" label={`${d.counts.error} error`} />}
                    {d.counts.na > 0 && <StatusBadge status="n/a" label={`${d.counts.na} n/a`} />}
                  </span>
                </Cell>
              </Row>
            ))}
          </Table>
        </>
      )}
    </div>
  );
}

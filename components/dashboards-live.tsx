'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { DIGEST_STATUSES } from '@/lib/audit/digest';
import { dashboardsQueryEntries, type DashboardSort } from '@/lib/console/dashboards-query';
import { queryString } from '@/lib/console/urls';
import type { DashboardsListView } from '@/lib/console/views';
import { plural } from '@/lib/history/plural';
import { useLive } from './live-query';
import { dashboardsListQuery } from './queries';
import { Button, inputClass } from './ui/button';
import { Card } from './ui/card';
import { StatusBadge } from './ui/status-badge';
import { Cell, Row, RowHeader, Table } from './ui/table';
import { UnreachableBanner } from './unreachable-banner';

type Entries = Record<string, string | undefined>;

/** This page with `changes` applied to its list keys; a new filter or sort starts again from the first page. */
function hrefWith(current: Entries, changes: Entries): string {
  const next = { ...current, after: undefined, before: undefined, ...changes };
  const query = queryString(next);
  return query ? `/dashboards?${query}` : '/dashboards';
}

const COLUMNS: Array<{ sort: DashboardSort; label: string; numeric?: boolean }> = [
  { sort: 'title', label: 'Dashboard' },
  { sort: 'project', label: 'Project' },
  { sort: 'owner', label: 'Owner' },
  { sort: 'tabs', label: 'Tabs', numeric: true },
  { sort: 'components', label: 'Components', numeric: true },
  { sort: 'errors', label: 'Errors', numeric: true },
  { sort: 'warnings', label: 'Warnings', numeric: true },
  { sort: 'status', label: 'Status' },
];

const STATUS_LABEL = { errors: 'With errors', warnings: 'With warnings only', clean: 'Clean' } as const;

/** The broken components of the whole database by reason, each a link to the dashboards that have them. */
function NeedsAttention({ view }: { view: DashboardsListView }) {
  if (view.attention.length === 0) return <p className="text-sm">No component needs attention.</p>;
  return (
    <ul className="space-y-1 text-sm" aria-label="Broken components by reason">
      {view.attention.map((a) => (
        <li key={a.key} className="flex items-baseline gap-2">
          <StatusBadge status={a.status} label={a.status} />
          <Link className="underline" href={hrefWith({}, { reason: a.key })}>
            {plural(a.components, 'component')} in {plural(a.dashboards, 'dashboard')}: {a.reason}
          </Link>
        </li>
      ))}
    </ul>
  );
}

function Filters({ view, entries }: { view: DashboardsListView; entries: Entries }) {
  const router = useRouter();
  const [values, setValues] = useState({ q: entries.q ?? '', project: entries.project ?? '', owner: entries.owner ?? '', status: entries.status ?? '' });
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    router.replace(hrefWith(entries, values), { scroll: false });
  };
  return (
    <form onSubmit={apply} aria-label="Search and filter the dashboards" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
      <label className="text-sm lg:col-span-2">
        Search title or id
        <input type="search" className={`${inputClass} mt-1`} value={values.q} onChange={set('q')} />
      </label>
      <label className="text-sm">
        Project
        <select className={`${inputClass} mt-1`} value={values.project} onChange={set('project')}>
          <option value="">All projects</option>
          {view.choices.projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        Owner
        <select className={`${inputClass} mt-1`} value={values.owner} onChange={set('owner')}>
          <option value="">All owners</option>
          {view.choices.owners.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        Status
        <select className={`${inputClass} mt-1`} value={values.status} onChange={set('status')}>
          <option value="">Any status</option>
          {DIGEST_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
      </label>
      <div className="flex gap-2 lg:col-span-5">
        <Button type="submit" variant="primary">
          Apply
        </Button>
        <Button onClick={() => router.replace('/dashboards', { scroll: false })}>Clear</Button>
      </div>
    </form>
  );
}

function SortHeader({ column, entries }: { column: (typeof COLUMNS)[number]; entries: Entries }) {
  const sort = entries.sort ?? 'title';
  const dir = entries.dir ?? 'asc';
  const active = sort === column.sort;
  const nextDir = active && dir === 'asc' ? 'desc' : 'asc';
  return (
    <Link className="underline-offset-2 hover:underline" href={hrefWith(entries, { sort: column.sort, dir: nextDir })}>
      {column.label}
      {active ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
      <span className="sr-only">{active ? `, sorted ${dir === 'asc' ? 'ascending' : 'descending'}` : ', sort by this column'}</span>
    </Link>
  );
}

/** The dashboards list: the needs-attention summary, search and filters, sortable columns, keyset pages; state in the URL. */
export function DashboardsLive({ serverError }: { serverError: string | null }) {
  const params = useSearchParams();
  const entries = dashboardsQueryEntries(params);
  const { data, error } = useLive(dashboardsListQuery(params));
  const problem = error?.message ?? (!data ? serverError : null);
  const filtered = Boolean(entries.q || entries.project || entries.owner || entries.status || entries.reason);
  return (
    <div className="space-y-4">
      <UnreachableBanner error={problem} />
      {data && (
        <>
          <p className="text-sm" role="status">
            {data.summary.dashboards} dashboards, {data.summary.components} components: {data.summary.valid} valid, {data.summary.warning} warning,{' '}
            {data.summary.error} error, {data.summary.na} n/a.
          </p>
          <Card title="Needs attention">
            <NeedsAttention view={data} />
          </Card>
          <Card title="Search and filters">
            <Filters key={params.toString()} view={data} entries={entries} />
            {entries.reason && (
              <p className="mt-3 text-sm">
                Only dashboards with: <span className="font-medium">{entries.reason}</span>.{' '}
                <Link className="underline" href={hrefWith(entries, { reason: undefined })}>
                  Any reason
                </Link>
              </p>
            )}
          </Card>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {filtered ? `${data.matched} of ${data.total} dashboards match.` : `${data.total} dashboards.`}
          </p>
          <Table
            framed
            caption="Dashboards and the status of their components"
            columns={COLUMNS.map((c) => ({ label: <SortHeader column={c} entries={entries} />, className: c.numeric ? 'text-right' : '' }))}
          >
            {data.rows.map((d) => (
              <Row key={d.id} data-status={d.status}>
                <RowHeader>
                  <Link className="underline" href={`/dashboards/${encodeURIComponent(d.id)}`}>
                    {d.title}
                  </Link>
                </RowHeader>
                <Cell>{d.project_name ?? d.project_id ?? '—'}</Cell>
                <Cell>{d.owners.join(', ') || '—'}</Cell>
                <Cell className="text-right tabular-nums">{d.tabs}</Cell>
                <Cell className="text-right tabular-nums">{d.counts.components}</Cell>
                <Cell className="text-right tabular-nums">{d.counts.error}</Cell>
                <Cell className="text-right tabular-nums">{d.counts.warning}</Cell>
                <Cell>
                  <StatusBadge status={d.status === 'errors' ? 'error' : d.status === 'warnings' ? 'warning' : 'valid'} label={STATUS_LABEL[d.status]} />
                </Cell>
              </Row>
            ))}
          </Table>
          <nav aria-label="Pages of the list" className="flex gap-2">
            <PageLink href={data.prev ? hrefWith(entries, { before: data.prev }) : null} label="Previous page" />
            <PageLink href={data.next ? hrefWith(entries, { after: data.next }) : null} label="Next page" />
          </nav>
        </>
      )}
    </div>
  );
}

function PageLink({ href, label }: { href: string | null; label: string }) {
  const className = 'focus-ring rounded-md px-3 py-1.5 text-sm ring-1 ring-zinc-300 dark:ring-zinc-700';
  if (!href) {
    return (
      <span aria-disabled="true" className={`${className} opacity-50`}>
        {label}
      </span>
    );
  }
  return (
    <Link className={`${className} hover:bg-zinc-100 dark:hover:bg-zinc-800`} href={href} scroll={false}>
      {label}
    </Link>
  );
}

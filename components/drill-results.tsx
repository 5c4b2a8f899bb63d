'use client';

import Link from 'next/link';
import type { DrillJobView } from '@/lib/console/drill-view';
import type { DrillAlgorithm, DrillResult } from '@/lib/drill/types';
import { LocalTime } from './ui/local-time';
import { StatusBadge } from './ui/status-badge';
import { Cell, Row, RowHeader, Table } from './ui/table';

const ROWS: Array<{ label: string; value: (r: DrillResult) => string }> = [
  { label: 'Workers (late)', value: (r) => `${r.on_time} + ${r.late}` },
  { label: 'Workers that acquired the lock', value: (r) => String(r.acquired) },
  { label: 'Wipes', value: (r) => String(r.wipes) },
  { label: 'Projects persisted', value: (r) => `${r.projects} of ${r.expected_projects}` },
  { label: 'Dashboard documents', value: (r) => `${r.dashboards} of ${r.expected_dashboards}` },
  { label: 'Components with invalid DC ids', value: (r) => String(r.invalid_components) },
  { label: 'Until every worker was ready', value: (r) => (r.elapsed_ms === null ? 'never' : `${r.elapsed_ms} ms`) },
];

const STATUS_WORDS: Record<DrillJobView['status'], string> = { running: 'running', done: 'finished', failed: 'failed', interrupted: 'interrupted' };

/** The incident's verification tables, one column per algorithm, filling in as the drill runs. */
export function DrillResults({ job }: { job: DrillJobView }) {
  const algorithms = job.request.algorithms;
  const resultOf = (a: DrillAlgorithm) => job.results.find((r) => r.algorithm === a);
  return (
    <Table
      framed
      showCaption
      caption={
        <>
          Drill {STATUS_WORDS[job.status]}, started by {job.started_by}
          {job.holder ? ` on console ${job.holder.instance}` : ''}
          {job.error ? `: ${job.error}` : ''}
          {job.interrupted && (
            <>
              : its console stopped renewing the drill lease, which expired at <LocalTime iso={job.interrupted.at} />; noticed at{' '}
              <LocalTime iso={job.interrupted.noticed_at} /> by {job.interrupted.noticed_by}
            </>
          )}
        </>
      }
      columns={[
        <span key="figure" className="sr-only">
          Figure
        </span>,
        ...algorithms.map((a) => (
          <span key={a} className="font-semibold text-zinc-900 dark:text-zinc-100">
            {a}
          </span>
        )),
      ]}
    >
      <Row>
        <RowHeader className="font-normal text-zinc-600 dark:text-zinc-400">Status</RowHeader>
        {algorithms.map((a) => {
          const result = resultOf(a);
          const progress = job.progress[a];
          return (
            <Cell key={a} live>
              {result ? (
                <StatusBadge status={result.pass ? 'pass' : 'fail'} />
              ) : job.status === 'interrupted' ? (
                <StatusBadge status="failed" label="interrupted" />
              ) : progress && job.status === 'running' ? (
                <StatusBadge status="in-progress" label={`${progress.phase}: ${progress.acquired} acquired, ${progress.wipes} wipes`} />
              ) : job.status === 'running' ? (
                'waiting'
              ) : (
                '—'
              )}
            </Cell>
          );
        })}
      </Row>
      {ROWS.map((row) => (
        <Row key={row.label}>
          <RowHeader className="font-normal text-zinc-600 dark:text-zinc-400">{row.label}</RowHeader>
          {algorithms.map((a) => {
            const result = resultOf(a);
            return (
              <Cell key={a} className="tabular-nums">
                {result ? row.value(result) : '—'}
              </Cell>
            );
          })}
        </Row>
      ))}
      <Row>
        <RowHeader className="font-normal text-zinc-600 dark:text-zinc-400">Report</RowHeader>
        {algorithms.map((a) => {
          const result = resultOf(a);
          return (
            <Cell key={a} className="text-xs">
              {result && (
                <>
                  <ul className="list-disc space-y-0.5 pl-4">
                    {[...new Set([...result.findings, ...result.run_problems, ...result.data_problems])].map((f) => (
                      <li key={f}>{f}</li>
                    ))}
                  </ul>
                  <Link className="mt-1 inline-block underline" href={`/workers?run=${encodeURIComponent(result.run_id)}`}>
                    Timeline of this run
                  </Link>
                </>
              )}
            </Cell>
          );
        })}
      </Row>
    </Table>
  );
}

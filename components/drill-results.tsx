'use client';

import Link from 'next/link';
import type { DrillJobView } from '@/lib/console/drill-view';
import type { DrillAlgorithm, DrillResult } from '@/lib/drill/types';
import { LocalTime } from './ui/local-time';
import { StatusBadge } from './ui/status-badge';

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
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <table className="w-full text-left text-sm">
        <caption className="p-3 text-left text-sm text-zinc-600 dark:text-zinc-400">
          Drill {STATUS_WORDS[job.status]}, started by {job.started_by}
          {job.holder ? ` on console ${job.holder.instance}` : ''}
          {job.error ? `: ${job.error}` : ''}
          {job.interrupted && (
            <>
              : its console stopped renewing the drill lease, which expired at <LocalTime iso={job.interrupted.at} />
              ; noticed at <LocalTime iso={job.interrupted.noticed_at} /> by {job.interrupted.noticed_by}
            </>
          )}
        </caption>
        <thead className="border-b border-zinc-200 dark:border-zinc-800">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">
              <span className="sr-only">Figure</span>
            </th>
            {algorithms.map((a) => (
              <th key={a} scope="col" className="px-3 py-2 font-semibold">
                {a}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr className="border-b border-zinc-100 dark:border-zinc-800">
            <th scope="row" className="px-3 py-2 text-left font-normal text-zinc-600 dark:text-zinc-400">
              Status
            </th>
            {algorithms.map((a) => {
              const result = resultOf(a);
              const progress = job.progress[a];
              return (
                <td key={a} className="px-3 py-2" aria-live="polite">
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
                </td>
              );
            })}
          </tr>
          {ROWS.map((row) => (
            <tr key={row.label} className="border-b border-zinc-100 dark:border-zinc-800">
              <th scope="row" className="px-3 py-2 text-left font-normal text-zinc-600 dark:text-zinc-400">
                {row.label}
              </th>
              {algorithms.map((a) => {
                const result = resultOf(a);
                return (
                  <td key={a} className="px-3 py-2 tabular-nums">
                    {result ? row.value(result) : '—'}
                  </td>
                );
              })}
            </tr>
          ))}
          <tr className="align-top">
            <th scope="row" className="px-3 py-2 text-left font-normal text-zinc-600 dark:text-zinc-400">
              Report
            </th>
            {algorithms.map((a) => {
              const result = resultOf(a);
              return (
                <td key={a} className="px-3 py-2 text-xs">
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
                </td>
              );
            })}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

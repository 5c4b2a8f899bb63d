'use client';

import type { RunsPage } from '@/lib/console/views';
import { RunTimeline } from './run-timeline';
import { CopyValue } from './ui/copy-button';
import { LocalTime } from './ui/local-time';
import { StatusBadge } from './ui/status-badge';

function Figure({ label, value }: { label: string; value: number | string | null }) {
  return (
    <div>
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="text-sm font-medium tabular-nums">{value ?? '—'}</dd>
    </div>
  );
}

/** Each run with its verdict from the history, its figures and its timeline. */
export function RunsList({ page }: { page: RunsPage }) {
  if (page.runs.length === 0) return <p className="text-sm">No runs match.</p>;
  return (
    <ol className="space-y-4">
      {page.runs.map((run) => (
        <li key={run.run_id}>
          <article aria-labelledby={`run-${run.run_id}`} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
            <header className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-1">
              <h3 id={`run-${run.run_id}`} className="text-sm font-semibold">
                <span className="sr-only">Run </span>
                <CopyValue value={run.run_id} label="run id" />
              </h3>
              <StatusBadge status={run.pass ? 'pass' : 'fail'} />
              {run.unfinished && <StatusBadge status="in-progress" label="unfinished" />}
              <span className="text-xs text-zinc-600 dark:text-zinc-400">
                generation {run.generations.join(', ')} · <LocalTime iso={run.started_at} />
              </span>
            </header>
            <ul className="mb-3 text-sm" aria-label="Verdict">
              {run.findings.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
            <dl className="mb-3 grid grid-cols-4 gap-2 sm:grid-cols-8">
              <Figure label="Workers" value={run.workers} />
              <Figure label="Acquired" value={run.acquired} />
              <Figure label="Waited" value={run.waited} />
              <Figure label="Skipped" value={run.skipped} />
              <Figure label="Failed" value={run.failed} />
              <Figure label="Wipes" value={run.wipes} />
              <Figure label="Takeovers" value={run.takeovers} />
              <Figure label="All ready" value={run.elapsed_ms === null ? null : `${run.elapsed_ms} ms`} />
            </dl>
            <RunTimeline events={run.events} />
          </article>
        </li>
      ))}
    </ol>
  );
}

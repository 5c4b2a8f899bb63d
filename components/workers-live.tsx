'use client';

import { Download } from 'lucide-react';
import { useRouter, useSearchParams } from 'next/navigation';
import { exportUrl, MAX_RUNS_SKIP, queryString, RUNS_PER_PAGE } from '@/lib/console/urls';
import { checkWholeNumber } from '@/lib/whole-number';
import { EventsTable } from './events-table';
import { HistoryFilters } from './history-filters';
import { useLive } from './live-query';
import { eventsQuery, runsQuery } from './queries';
import { RunsList } from './runs-list';
import { Card } from './ui/card';
import { UnreachableBanner } from './unreachable-banner';

interface Props {
  choices: { runs: string[]; workers: string[] };
  /** Why the server could not read the runs or the events (the guard's words), shown until the browser reads them. */
  serverError: string | null;
}

const pagerClass =
  'focus-ring rounded-md px-3 py-1.5 text-sm ring-1 ring-zinc-300 enabled:hover:bg-zinc-100 disabled:opacity-50 dark:ring-zinc-700 dark:enabled:hover:bg-zinc-800';

export function WorkersLive(props: Props) {
  const params = useSearchParams();
  const router = useRouter();
  const runs = useLive(runsQuery(params));
  const events = useLive(eventsQuery(params));
  const error = runs.error?.message ?? events.error?.message ?? (!runs.data && !events.data ? props.serverError : null);

  const go = (changes: Record<string, string | number | undefined>) => {
    const next = Object.fromEntries(params.entries()) as Record<string, string | number | undefined>;
    router.replace(`?${queryString({ ...next, ...changes })}`, { scroll: false });
  };
  // The server refuses a bad runs_skip before this renders; a URL changed since reads as the first page.
  const skip = checkWholeNumber(params.get('runs_skip') ?? 0, 0, MAX_RUNS_SKIP);
  const runsSkip = skip.ok ? skip.value : 0;

  return (
    <div className="space-y-4">
      <UnreachableBanner error={error} />
      <Card title="Filters">
        <HistoryFilters key={params.toString()} runs={props.choices.runs} workers={props.choices.workers} />
      </Card>

      <section aria-labelledby="runs-heading" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="runs-heading" className="text-lg font-semibold">
            Runs, newest first
          </h2>
          <div className="flex gap-2">
            <button
              type="button"
              className={pagerClass}
              disabled={runsSkip === 0}
              onClick={() => go({ runs_skip: Math.max(0, runsSkip - RUNS_PER_PAGE) || undefined })}
            >
              Newer runs
            </button>
            <button type="button" className={pagerClass} disabled={!runs.data?.has_more} onClick={() => go({ runs_skip: runsSkip + RUNS_PER_PAGE })}>
              Older runs
            </button>
          </div>
        </div>
        {runs.data ? <RunsList page={runs.data} /> : <p className="text-sm">Loading runs…</p>}
      </section>

      <Card
        title="Events"
        actions={
          <div className="flex gap-2">
            {(['json', 'csv'] as const).map((format) => (
              <a
                key={format}
                href={exportUrl(params, format)}
                className="focus-ring inline-flex items-center gap-1 rounded-md px-2 py-1 text-sm ring-1 ring-zinc-300 hover:bg-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-800"
                download
              >
                <Download aria-hidden="true" className="size-3.5" />
                Export {format.toUpperCase()}
                <span className="sr-only"> of the filtered history, oldest first</span>
              </a>
            ))}
          </div>
        }
      >
        {events.data ? <EventsTable page={events.data} /> : <p className="text-sm">Loading events…</p>}
        <div className="mt-3 flex gap-2">
          <button
            type="button"
            className={pagerClass}
            disabled={!events.data?.newer}
            onClick={() => go({ before: undefined, after: events.data?.newer ?? undefined })}
          >
            Newer events
          </button>
          <button
            type="button"
            className={pagerClass}
            disabled={!events.data?.older}
            onClick={() => go({ after: undefined, before: events.data?.older ?? undefined })}
          >
            Older events
          </button>
        </div>
      </Card>
    </div>
  );
}

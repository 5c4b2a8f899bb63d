import type { Metadata } from 'next';
import { pathWithQuery, requireSession } from '@/app/_lib/session';
import { WorkersLive } from '@/components/workers-live';
import { Banner } from '@/components/ui/banner';
import { eventsQuerySchema, filterChoices, historyMatch, queryEvents, runsQuerySchema } from '@/lib/console/history-query';
import { loadInitial } from '@/lib/console/load-initial';
import { listRuns } from '@/lib/console/runs';
import { eventsApiUrl, runsApiUrl } from '@/lib/console/urls';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Workers' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function WorkersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  await requireSession(pathWithQuery('/workers', params));
  const runsUrl = runsApiUrl(params);
  const eventsUrl = eventsApiUrl(params);
  const runsQuery = runsQuerySchema.safeParse(Object.fromEntries(new URL(runsUrl, 'http://x').searchParams));
  const eventsQuery = eventsQuerySchema.safeParse(Object.fromEntries(new URL(eventsUrl, 'http://x').searchParams));
  if (!runsQuery.success || !eventsQuery.success) {
    const issues = [...(runsQuery.error?.issues ?? []), ...(eventsQuery.error?.issues ?? [])];
    return (
      <>
        <h1 className="mb-4 text-2xl font-semibold">Workers</h1>
        <Banner title="These filters cannot be used">
          <ul>{[...new Set(issues.map((i) => `${i.path.join('.')}: ${i.message}`))].map((m) => <li key={m}>{m}</li>)}</ul>
          <p className="mt-1"><a className="underline" href="/workers">Clear the filters</a></p>
        </Banner>
      </>
    );
  }
  const { skip, limit, ...filter } = runsQuery.data;
  const { before, after, limit: eventsLimit } = eventsQuery.data;
  const initial = await loadInitial(async (db) => {
    const [runs, events, choices] = await Promise.all([
      listRuns(db, { match: historyMatch(filter), skip, limit }),
      queryEvents(db, filter, { before, after, limit: eventsLimit }),
      filterChoices(db),
    ]);
    return { runs, events, choices };
  });
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Workers</h1>
      <WorkersLive
        initialRuns={initial.data?.runs}
        initialEvents={initial.data?.events}
        initialRunsUrl={runsUrl}
        initialEventsUrl={eventsUrl}
        choices={initial.data?.choices ?? { runs: [], workers: [] }}
        initialError={initial.error}
      />
    </>
  );
}

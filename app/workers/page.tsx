import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { prefetchView } from '@/app/_lib/prefetch';
import { pathWithQuery, requireSession } from '@/app/_lib/session';
import { getQueryClient } from '@/components/get-query-client';
import { eventsQuery, runsQuery } from '@/components/queries';
import { WorkersLive } from '@/components/workers-live';
import { BadViewPage } from '@/components/bad-view-page';
import { eventsQuerySchema, filterChoices, historyMatch, queryEvents, runsQuerySchema } from '@/lib/console/history-query';
import { listRuns } from '@/lib/console/runs';
import { eventsApiQuery, runsApiQuery, type PageSearchParams } from '@/lib/console/urls';
import { sharedDb } from '@/lib/db/client';
import { zodIssueLines } from '@/lib/zod-issues';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Workers' };

export default async function WorkersPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const params = await searchParams;
  const path = pathWithQuery('/workers', params);
  await requireSession(path);
  // The same input the two routes read, checked the same way.
  const runsInput = runsQuerySchema.safeParse(runsApiQuery(params));
  const eventsInput = eventsQuerySchema.safeParse(eventsApiQuery(params));
  if (!runsInput.success || !eventsInput.success) {
    // The two inputs share the filters: a bad filter is named once.
    return (
      <BadViewPage
        title="Workers"
        banner="These filters cannot be used"
        problems={[runsInput.error, eventsInput.error].flatMap((error) => (error ? zodIssueLines(error) : []))}
        clearHref="/workers"
        clearLabel="Clear the filters"
      />
    );
  }
  const { skip, limit, ...filter } = runsInput.data;
  const { before, after, limit: eventsLimit } = eventsInput.data;
  const queryClient = getQueryClient();
  const [runsError, eventsError, choices] = await Promise.all([
    prefetchView(queryClient, runsQuery(params), (db) => listRuns(db, { match: historyMatch(filter), skip, limit }), path),
    prefetchView(queryClient, eventsQuery(params), (db) => queryEvents(db, filter, { before, after, limit: eventsLimit }), path),
    // The filter menus are read once per page load, not polled.
    sharedDb()
      .then(filterChoices)
      .catch(() => ({ runs: [], workers: [] })),
  ]);
  return (
    <>
      <PageHeader title="Workers" />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <WorkersLive choices={choices} serverError={runsError ?? eventsError} />
      </HydrationBoundary>
    </>
  );
}

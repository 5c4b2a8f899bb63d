import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { prefetchView } from '@/app/_lib/prefetch';
import { pathWithQuery, requireSession } from '@/app/_lib/session';
import { DashboardsLive } from '@/components/dashboards-live';
import { getQueryClient } from '@/components/get-query-client';
import { dashboardsListQuery } from '@/components/queries';
import { BadViewPage } from '@/components/bad-view-page';
import { PageHeader } from '@/components/ui/page-header';
import { loadDashboardsList } from '@/lib/console/audit-view';
import { dashboardsQueryEntries, dashboardsQuerySchema } from '@/lib/console/dashboards-query';
import type { PageSearchParams } from '@/lib/console/urls';
import { zodIssueLines } from '@/lib/zod-issues';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dashboards' };

export default async function DashboardsPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const params = await searchParams;
  const path = pathWithQuery('/dashboards', params);
  await requireSession(path);
  // The same input /api/audit/list reads, checked the same way.
  const input = dashboardsQuerySchema.safeParse(dashboardsQueryEntries(params));
  if (!input.success) {
    return (
      <BadViewPage
        title="Dashboards"
        banner="This view of the list cannot be shown"
        problems={zodIssueLines(input.error)}
        clearHref="/dashboards"
        clearLabel="Show every dashboard"
      />
    );
  }
  const queryClient = getQueryClient();
  const serverError = await prefetchView(queryClient, dashboardsListQuery(params), (db) => loadDashboardsList(db, input.data), path);
  return (
    <>
      <PageHeader title="Dashboards" />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <DashboardsLive serverError={serverError} />
      </HydrationBoundary>
    </>
  );
}

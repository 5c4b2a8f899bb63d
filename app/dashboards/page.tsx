import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import type { Metadata } from 'next';
import Link from 'next/link';
import { prefetchView } from '@/app/_lib/prefetch';
import { pathWithQuery, requireSession } from '@/app/_lib/session';
import { DashboardsLive } from '@/components/dashboards-live';
import { getQueryClient } from '@/components/get-query-client';
import { dashboardsListQuery } from '@/components/queries';
import { Banner } from '@/components/ui/banner';
import { PageHeader } from '@/components/ui/page-header';
import { loadDashboardsList } from '@/lib/console/audit-view';
import { dashboardsQueryEntries, dashboardsQuerySchema } from '@/lib/console/dashboards-query';
import { zodIssueLines } from '@/lib/zod-issues';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dashboards' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function DashboardsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const path = pathWithQuery('/dashboards', params);
  await requireSession(path);
  // The same input /api/audit/list reads, checked the same way.
  const input = dashboardsQuerySchema.safeParse(dashboardsQueryEntries(params));
  if (!input.success) {
    return (
      <>
        <PageHeader title="Dashboards" />
        <Banner title="This view of the list cannot be shown">
          <ul>
            {zodIssueLines(input.error).map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
          <p className="mt-1">
            <Link className="underline" href="/dashboards">
              Show every dashboard
            </Link>
          </p>
        </Banner>
      </>
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

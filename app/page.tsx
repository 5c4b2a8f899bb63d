import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import { prefetchView } from '@/app/_lib/prefetch';
import { requireSession } from '@/app/_lib/session';
import { getQueryClient } from '@/components/get-query-client';
import { OverviewLive } from '@/components/overview-live';
import { overviewQuery } from '@/components/queries';
import { loadOverview } from '@/lib/console/overview';
import { config } from '@/lib/env';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  const session = await requireSession('/');
  const queryClient = getQueryClient();
  const serverError = await prefetchView(queryClient, overviewQuery(), loadOverview, '/');
  return (
    <>
      <PageHeader title="Overview" />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <OverviewLive serverError={serverError} admin={session.role === 'admin'} databaseName={config().MONGODB_DB} />
      </HydrationBoundary>
    </>
  );
}

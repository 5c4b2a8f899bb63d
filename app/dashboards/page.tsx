import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { prefetchView } from '@/app/_lib/prefetch';
import { requireSession } from '@/app/_lib/session';
import { DashboardsLive } from '@/components/dashboards-live';
import { getQueryClient } from '@/components/get-query-client';
import { auditQuery } from '@/components/queries';
import { loadAudit } from '@/lib/console/audit-view';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dashboards' };

export default async function DashboardsPage() {
  await requireSession('/dashboards');
  const queryClient = getQueryClient();
  const serverError = await prefetchView(queryClient, auditQuery(), (db) => loadAudit(db), '/dashboards');
  return (
    <>
      <PageHeader title="Dashboards" />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <DashboardsLive serverError={serverError} />
      </HydrationBoundary>
    </>
  );
}

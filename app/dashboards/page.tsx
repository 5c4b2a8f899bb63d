import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { prefetchView } from '@/app/_lib/prefetch';
import { requireSession } from '@/app/_lib/session';
import { DashboardsLive } from '@/components/dashboards-live';
import { getQueryClient } from '@/components/get-query-client';
import { auditQuery } from '@/components/queries';
import { loadAudit } from '@/lib/console/audit-view';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dashboards' };

export default async function DashboardsPage() {
  await requireSession('/dashboards');
  const queryClient = getQueryClient();
  const serverError = await prefetchView(queryClient, auditQuery(), (db) => loadAudit(db), '/dashboards');
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Dashboards</h1>
      <HydrationBoundary state={dehydrate(queryClient)}>
        <DashboardsLive serverError={serverError} />
      </HydrationBoundary>
    </>
  );
}

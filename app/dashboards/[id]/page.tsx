import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { prefetchView } from '@/app/_lib/prefetch';
import { requireSession } from '@/app/_lib/session';
import { DashboardDetailLive } from '@/components/dashboard-detail-live';
import { getQueryClient } from '@/components/get-query-client';
import { auditQuery } from '@/components/queries';
import { loadAudit } from '@/lib/console/audit-view';
import { sharedDb } from '@/lib/db/client';
import { lastRepair } from '@/lib/repair/history';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Dashboard ${(await params).id}` };
}

export default async function DashboardPage({ params }: Props) {
  const { id } = await params;
  const path = `/dashboards/${encodeURIComponent(id)}`;
  const session = await requireSession(path);
  const admin = session.role === 'admin';
  const queryClient = getQueryClient();
  const query = auditQuery(id);
  const serverError = await prefetchView(queryClient, query, (db) => loadAudit(db, id), path);
  const loaded = queryClient.getQueryData(query.queryKey)?.dashboards[0];
  const title = loaded?.title ?? 'Dashboard';
  // The undo control's starting point; without it (database unreachable) the page still shows the audit's error.
  const last = admin && loaded ? await lastRepair(await sharedDb(), loaded.id).catch(() => null) : null;
  return (
    <>
      <PageHeader title={title} />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <DashboardDetailLive id={id} serverError={serverError} admin={admin} lastRepair={last} />
      </HydrationBoundary>
    </>
  );
}

import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { prefetchView } from '@/app/_lib/prefetch';
import { requireSession } from '@/app/_lib/session';
import { DrillPanel } from '@/components/drill-panel';
import { drillQuery } from '@/components/drill-query';
import { getQueryClient } from '@/components/get-query-client';
import { Banner } from '@/components/ui/banner';
import { loadDrill } from '@/lib/console/drill';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Race drill' };

export default async function DrillPage() {
  const session = await requireSession('/drill');
  if (session.role !== 'admin') {
    return (
      <>
        <PageHeader title="Race drill" />
        <Banner title="Only admins can run the race drill">Sign in as an admin to replay the incident on scratch databases.</Banner>
      </>
    );
  }
  const queryClient = getQueryClient();
  const serverError = await prefetchView(queryClient, drillQuery(null), (db) => loadDrill(db), '/drill');
  return (
    <>
      <PageHeader title="Race drill" />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <DrillPanel serverError={serverError} />
      </HydrationBoundary>
    </>
  );
}

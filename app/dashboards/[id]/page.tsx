import type { Metadata } from 'next';
import { requireSession } from '@/app/_lib/session';
import { DashboardDetailLive } from '@/components/dashboard-detail-live';
import { auditDatabase } from '@/lib/audit/run-audit';
import { loadInitial } from '@/lib/console/load-initial';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Dashboard ${(await params).id}` };
}

export default async function DashboardPage({ params }: Props) {
  const { id } = await params;
  await requireSession(`/dashboards/${encodeURIComponent(id)}`);
  const initial = await loadInitial((db) => auditDatabase(db, { dashboardId: id }));
  const title = initial.data?.dashboards[0]?.title ?? 'Dashboard';
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">{title}</h1>
      <DashboardDetailLive id={id} initial={initial.data} initialError={initial.error} />
    </>
  );
}

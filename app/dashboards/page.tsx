import type { Metadata } from 'next';
import { requireSession } from '@/app/_lib/session';
import { DashboardsLive } from '@/components/dashboards-live';
import { auditDatabase } from '@/lib/audit/run-audit';
import { loadInitial } from '@/lib/console/load-initial';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dashboards' };

export default async function DashboardsPage() {
  await requireSession('/dashboards');
  const initial = await loadInitial((db) => auditDatabase(db));
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Dashboards</h1>
      <DashboardsLive initial={initial.data} initialError={initial.error} />
    </>
  );
}

import { requireSession } from '@/app/_lib/session';
import { OverviewLive } from '@/components/overview-live';
import { loadInitial } from '@/lib/console/load-initial';
import { loadOverview } from '@/lib/console/overview';
import { config } from '@/lib/env';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  const session = await requireSession('/');
  const initial = await loadInitial(loadOverview);
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Overview</h1>
      <OverviewLive initial={initial.data} initialError={initial.error} admin={session.role === 'admin'} databaseName={config().MONGODB_DB} />
    </>
  );
}

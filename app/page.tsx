import { OverviewLive } from '@/components/overview-live';
import { loadInitial } from '@/lib/console/load-initial';
import { loadOverview } from '@/lib/console/overview';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  const initial = await loadInitial(loadOverview);
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Overview</h1>
      <OverviewLive initial={initial.data} initialError={initial.error} />
    </>
  );
}

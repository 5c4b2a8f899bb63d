import type { Metadata } from 'next';
import { requireSession } from '@/app/_lib/session';
import { DrillPanel } from '@/components/drill-panel';
import { Banner } from '@/components/ui/banner';
import { loadInitial } from '@/lib/console/load-initial';
import { latestDrillJob } from '@/lib/drill/job';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Race drill' };

export default async function DrillPage() {
  const session = await requireSession('/drill');
  if (session.role !== 'admin') {
    return (
      <>
        <h1 className="mb-4 text-2xl font-semibold">Race drill</h1>
        <Banner title="Only admins can run the race drill">Sign in as an admin to replay the incident on scratch databases.</Banner>
      </>
    );
  }
  const initial = await loadInitial(async (db) => ({ job: await latestDrillJob(db) }));
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Race drill</h1>
      <DrillPanel initial={initial.data} initialError={initial.error} />
    </>
  );
}

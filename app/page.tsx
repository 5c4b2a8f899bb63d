import { sharedDb } from '@/lib/db/client';
import { readLockAndState } from '@/lib/init/state';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  let body;
  try {
    const { lock, state } = await readLockAndState(await sharedDb());
    body = (
      <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2">
        <dt className="font-medium">Lock holder</dt>
        <dd>{lock?.holder ? `${lock.holder.worker_id} (fence ${lock.fence})` : 'free'}</dd>
        <dt className="font-medium">State</dt>
        <dd>{state ? `${state.status}, generation ${state.generation}` : 'never initialized'}</dd>
      </dl>
    );
  } catch (error) {
    body = <p role="alert">Database unreachable: {(error as Error).message}</p>;
  }
  return (
    <main className="mx-auto max-w-3xl p-8">
      <h1 className="mb-6 text-2xl font-semibold">Depictio Init Console</h1>
      {body}
    </main>
  );
}

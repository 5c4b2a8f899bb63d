import { sharedDb } from '@/lib/db/client';
import { guarded } from '@/lib/http/guard';
import { readLockAndState } from '@/lib/init/state';

export const dynamic = 'force-dynamic';

/** The console's heartbeat: reachable or not (always 200, so the page can say which), and whether a run is active. */
export const GET = guarded(async () => {
  try {
    const { lock, state } = await readLockAndState(await sharedDb());
    const leaseLive = Boolean(lock?.holder && lock.lease_expires_at && lock.lease_expires_at.getTime() > Date.now());
    return Response.json({ reachable: true, error: null, active: leaseLive || state?.status === 'in-progress' });
  } catch (error) {
    return Response.json({ reachable: false, error: (error as Error).message, active: false });
  }
});

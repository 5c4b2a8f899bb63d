import { isUnreachableError, sharedDb } from '@/lib/db/client';
import { ServerClock } from '@/lib/db/server-clock';
import { guarded } from '@/lib/http/guard';
import { readLockAndState } from '@/lib/init/state';
import { leaseIsLive } from '@/lib/lock/lease';

export const dynamic = 'force-dynamic';

/** The console's heartbeat: reachable or not (always 200, so the page can say which), and whether a run is active. */
export const GET = guarded(async () => {
  try {
    const db = await sharedDb();
    // The lease is judged on the database's clock, as the workers judge it.
    const [now, { lock, state }] = await Promise.all([new ServerClock(db).sync(), readLockAndState(db)]);
    return Response.json({ reachable: true, error: null, active: leaseIsLive(lock, now) || state?.status === 'in-progress' });
  } catch (error) {
    const reason = isUnreachableError(error) ? 'The database cannot be reached.' : 'The status could not be read.';
    return Response.json({ reachable: false, error: reason, active: false });
  }
});

import { loadStatus } from '@/lib/console/status';
import type { StatusView } from '@/lib/console/views';
import { isUnreachableError, sharedDb } from '@/lib/db/client';
import { guarded } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

/** The console's heartbeat: reachable or not (always 200, so the page can say which), and whether a run is active. */
export const GET = guarded(async () => {
  try {
    return Response.json(await loadStatus(await sharedDb()));
  } catch (error) {
    const reason = isUnreachableError(error) ? 'The database cannot be reached.' : 'The status could not be read.';
    return Response.json({ reachable: false, error: reason, active: false } satisfies StatusView);
  }
});

import { loadStatus } from '@/lib/console/status';
import type { StatusView } from '@/lib/console/views';
import { sharedDb } from '@/lib/db/client';
import { guarded, publicError } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

/**
 * The console's heartbeat: reachable or not (always 200, so the page can say which), and whether a
 * run is active. Why it is not reachable is said in the guard's words, as every route says it.
 */
export const GET = guarded(async (request) => {
  try {
    return Response.json(await loadStatus(await sharedDb()));
  } catch (error) {
    const reason = publicError(error, `GET ${new URL(request.url).pathname}`).message;
    return Response.json({ reachable: false, error: reason, active: false } satisfies StatusView);
  }
});

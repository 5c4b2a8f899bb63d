// Relative imports (not @/): the tests import this handler as it is.
import { sharedDb } from '../../../lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * For load balancers and probes: 200 when the console can reach its database, 503 when not. Never
 * needs a session, so it says only "unavailable": the reason (host, port, driver message) is for
 * the server log, not for anonymous callers.
 */
export async function GET() {
  try {
    await (await sharedDb()).command({ ping: 1 });
    return Response.json({ status: 'ok', database: 'reachable' }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    console.error(`[health] database unavailable: ${(error as Error).message}`);
    return Response.json({ status: 'unavailable' }, { status: 503, headers: { 'Cache-Control': 'no-store' } });
  }
}

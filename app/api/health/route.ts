import { sharedDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** For load balancers and probes: 200 when the console can reach its database, 503 when not. Never needs a session. */
export async function GET() {
  try {
    await (await sharedDb()).command({ ping: 1 });
    return Response.json({ status: 'ok', database: 'reachable' });
  } catch (error) {
    return Response.json({ status: 'degraded', database: 'unreachable', error: (error as Error).message }, { status: 503 });
  }
}

import { historyMatch, runsQuerySchema } from '@/lib/console/history-query';
import { listRuns } from '@/lib/console/runs';
import { sharedDb } from '@/lib/db/client';
import { guarded, parseQuery } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

/** Runs newest first, each with its events (for the timeline) and its verdict from the history. */
export const GET = guarded(async (request) => {
  const { skip, limit, ...filter } = parseQuery(runsQuerySchema, request.url);
  return Response.json(await listRuns(await sharedDb(), { match: historyMatch(filter), skip, limit }));
});

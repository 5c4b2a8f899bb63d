import { eventsQuerySchema, queryEvents } from '@/lib/console/history-query';
import { sharedDb } from '@/lib/db/client';
import { guarded, parseQuery } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

/** One page of history events, newest first, keyset-paginated with `before`/`after` cursors. */
export const GET = guarded(async (request) => {
  const { before, after, limit, ...filter } = parseQuery(eventsQuerySchema, request.url);
  return Response.json(await queryEvents(await sharedDb(), filter, { before, after, limit }));
});

import { z } from 'zod';
import { loadDrill } from '@/lib/console/drill';
import { sharedDb } from '@/lib/db/client';
import { guarded, parseQuery } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ id: z.string().max(100).optional() });

/** A drill started from the console (the latest when no id is given), with live progress and results. */
export const GET = guarded(async (request) => {
  const { id } = parseQuery(querySchema, request.url);
  return Response.json(await loadDrill(await sharedDb(), id));
});

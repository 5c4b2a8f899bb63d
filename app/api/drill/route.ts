import { z } from 'zod';
import { sharedDb } from '@/lib/db/client';
import { latestDrillJob, readDrillJob } from '@/lib/drill/job';
import { HttpError, guarded, parseQuery } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ id: z.string().max(100).optional() });

/** A drill started from the console (the latest when no id is given), with live progress and results. */
export const GET = guarded(async (request) => {
  const { id } = parseQuery(querySchema, request.url);
  const db = await sharedDb();
  const job = id ? await readDrillJob(db, id) : await latestDrillJob(db);
  if (id && !job) throw new HttpError(404, `no drill ${id}`);
  return Response.json({ job });
});

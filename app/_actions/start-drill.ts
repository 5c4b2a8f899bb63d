'use server';

import { adminAction } from '@/app/_lib/actions';
import { drillRequestSchema, startDrillJob } from '@/lib/drill/job';
import { config, requireMongoUri } from '@/lib/env';

/** Start the race drill on scratch databases; answers with the drill's id at once. */
export const startDrillAction = adminAction('start-drill', drillRequestSchema, async (input, { session, db }) => ({
  ok: true as const,
  job_id: await startDrillJob(await db(), requireMongoUri(config()), input, session.email),
}));

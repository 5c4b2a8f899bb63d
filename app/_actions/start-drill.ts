'use server';

import { adminAction } from '@/app/_lib/actions';
import { drillRequestSchema, startDrillJob } from '@/lib/drill/job';
import { config, requireMongoUri } from '@/lib/env';

/**
 * Start the race drill on scratch databases; answers with the drill's id at once, or refuses
 * naming the console instance whose drill holds the drill lease.
 */
export const startDrillAction = adminAction('start-drill', drillRequestSchema, async (input, { session, db }) => {
  const cfg = config();
  return startDrillJob(await db(), requireMongoUri(cfg), input, session.email, { config: cfg });
});

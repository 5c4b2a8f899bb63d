// First: zod's compiled parsers off in the browser before any schema below is made.
import './jitless-zod';
import { z } from 'zod';
import { drillHolderSchema } from '../drill/lease';
import { drillRequestSchema } from '../drill/request';
import { drillProgressSchema, drillResultSchema } from '../drill/types';

/** Dates as ISO 8601 strings, as in the other views (lib/console/views.ts). */
const isoTime = z.string();

/**
 * The drill page's view: the drill job (lib/drill/job.ts drillJobSchema) as JSON, dates as ISO
 * strings. Apart from views.ts so that only the drill page ships the drill's schemas.
 */
export const drillViewSchema = z.object({
  job: z
    .object({
      _id: z.string(),
      started_by: z.string(),
      request: drillRequestSchema,
      status: z.enum(['running', 'done', 'failed', 'interrupted']),
      holder: drillHolderSchema.nullable(),
      lease_expires_at: isoTime.nullable(),
      progress: z.record(z.string(), drillProgressSchema),
      results: z.array(drillResultSchema),
      error: z.string().nullable(),
      interrupted: z.object({ at: isoTime, instance: z.string(), noticed_at: isoTime, noticed_by: z.string() }).nullable(),
      started_at: isoTime,
      finished_at: isoTime.nullable(),
    })
    .nullable(),
});
export type DrillView = z.infer<typeof drillViewSchema>;
export type DrillJobView = NonNullable<DrillView['job']>;

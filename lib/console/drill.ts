import type { Db } from 'mongodb';
import { latestDrillJob, readDrillJob } from '../drill/job';
import { HttpError } from '../http/guard';
import { drillViewSchema, type DrillView } from './drill-view';

/** The drill view: one drill (the latest when no id is given), its dates as the JSON the browser gets. */
export async function loadDrill(db: Db, id?: string): Promise<DrillView> {
  const job = id ? await readDrillJob(db, id) : await latestDrillJob(db);
  if (id && !job) throw new HttpError(404, `no drill ${id}`);
  return drillViewSchema.parse(JSON.parse(JSON.stringify({ job })));
}

import type { Db } from 'mongodb';
import { ServerClock } from '../db/server-clock';
import { readLockAndState } from '../init/state';
import { leaseIsLive } from '../lock/liveness';
import type { StatusView } from './views';

/** The status view: the database answered, and whether a run is active (the lease judged on the database's clock). */
export async function loadStatus(db: Db): Promise<StatusView> {
  const [now, { lock, state }] = await Promise.all([new ServerClock(db).sync(), readLockAndState(db)]);
  return { reachable: true, error: null, active: leaseIsLive(lock, now) || state?.status === 'in-progress' };
}

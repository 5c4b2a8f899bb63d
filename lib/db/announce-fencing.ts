import type { Db } from 'mongodb';
import { fencingNotice } from './fencing-notice';
import { serverFacts } from './topology';

let announced: Promise<void> | undefined;

/**
 * At start, one line when the server is a standalone (fencing best-effort there), once per process
 * however often boot retries; nothing on a replica set, where the guarantee needs no warning.
 */
export function announceFencing(db: Db, log: (line: string) => void): Promise<void> {
  announced ??= serverFacts(db).then(
    ({ topology }) => {
      if (topology === 'standalone') log(fencingNotice(topology));
    },
    (error: unknown) => {
      // Not read: the next start attempt asks again.
      announced = undefined;
      throw error;
    },
  );
  return announced;
}

import type { Topology } from './topology';

/**
 * What the topology means for fencing, in the README's words ("Running against a real MongoDB"):
 * the start log and the console's overview say the same. Import-free: the browser shows it.
 */
export function fencingNotice(topology: Topology): string {
  switch (topology) {
    case 'standalone':
      return 'MongoDB is a standalone: fencing is best-effort (a holder paused between its lease check and one batch can still land that one batch late); run MongoDB as a replica set in production (a single-node replica set is enough)';
    case 'replica-set':
      return 'MongoDB is a replica set: fencing is guaranteed (each wipe and seed batch is a transaction whose first statement writes the lock)';
    case 'sharded':
      return 'MongoDB is a sharded cluster: fencing is guaranteed (each wipe and seed batch is a transaction whose first statement writes the lock)';
  }
}

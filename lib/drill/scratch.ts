import { randomBytes } from 'node:crypto';
import type { DrillAlgorithm } from './types';

/**
 * Scratch databases of the race drill. The old algorithms call `dropDatabase`: they run only on a
 * database whose name says it is a drill's, never on the platform's.
 */
export const SCRATCH_PREFIX = 'drill_';
const NAME = /^drill_[A-Za-z0-9_]{1,56}$/;

export class ScratchDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScratchDatabaseError';
  }
}

/** `drill_copy_drop_restore_3fa94c1d`: fresh for every drill. */
export function scratchDatabaseName(algorithm: DrillAlgorithm): string {
  return `${SCRATCH_PREFIX}${algorithm.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`;
}

/**
 * Where the drill's observer writes the history of an old algorithm: a sibling database, because
 * those algorithms drop their whole database (and so would drop `init_history` with it).
 */
export function historyDatabaseName(scratch: string): string {
  return `${scratch}_history`;
}

/** Throws unless `name` is a drill's scratch database and not the platform's (`platformDb`). */
export function assertScratchDatabase(name: string, platformDb?: string): void {
  if (!NAME.test(name)) {
    throw new ScratchDatabaseError(
      `refusing to run a drill on database "${name}": drill databases are named ${SCRATCH_PREFIX}<letters, digits, _> (at most 62 characters)`,
    );
  }
  if (platformDb !== undefined && name === platformDb) {
    throw new ScratchDatabaseError(`refusing to run a drill on database "${name}": it is the platform's database (MONGODB_DB)`);
  }
}

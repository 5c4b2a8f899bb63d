import { randomBytes } from 'node:crypto';
import { ConfigError, GENERATION_PATTERN, isProduction, type Config } from '../env';
import { workerIdentity } from '../lock/identity';
import type { SeedBundle } from '../seeds/build';
import { loadSeeds } from '../seeds/load';
import { seedGeneration, type WorkerOptions } from './run-worker';

export interface WorkerRequest {
  wipe: boolean;
  /** Required with wipe: the one id all workers of a deployment or request share. */
  generation?: string;
  runId: string;
  workerName?: string;
  /** Seeds the caller already loaded and validated from SEEDS_DIR (loading hashes passwords: do it once). */
  seeds?: SeedBundle;
}

/** `<prefix>-20261127T103000Z-3fa9`: unique, and sorts by time. */
export function newRunId(prefix: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${prefix}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** The seeds of SEEDS_DIR with the configured admin and passwords: what every run and plan reads. */
export function configuredSeeds(cfg: Config): Promise<SeedBundle> {
  return loadSeeds(cfg.SEEDS_DIR, {
    adminEmail: cfg.ADMIN_EMAIL,
    passwords: { ADMIN_PASSWORD: cfg.ADMIN_PASSWORD, TEST_USER_PASSWORD: cfg.TEST_USER_PASSWORD },
  });
}

/**
 * Everything a worker needs before it touches the database: the seeds read and validated in full
 * (bad seeds stop here, before any lock or wipe), the generation, and the worker's identity.
 */
export async function prepareWorker(cfg: Config, request: WorkerRequest): Promise<WorkerOptions> {
  for (const [name, value] of [
    ['generation', request.generation],
    ['run id', request.runId],
  ] as const) {
    if (value !== undefined && !GENERATION_PATTERN.test(value)) {
      throw new ConfigError([`${name} must be 1 to 100 letters, digits, ".", "_", ":" or "-" (got "${value}")`]);
    }
  }
  if (request.wipe && !request.generation) {
    throw new ConfigError(['a wipe needs a generation shared by every worker of the run, so that it happens once']);
  }
  if (isProduction(cfg) && !cfg.ADMIN_PASSWORD) {
    // A made-up admin password is for development only; production seeds the configured one.
    throw new ConfigError(["ADMIN_PASSWORD must be set in production: the seeded admin's password (at least 8 characters)"]);
  }
  if (isProduction(cfg) && !cfg.TEST_USER_PASSWORD) {
    // Likewise the viewer's: a made-up password printed in a production log is a leaked one.
    throw new ConfigError(["TEST_USER_PASSWORD must be set in production: the seeded viewer's password (at least 8 characters)"]);
  }
  const seeds = request.seeds ?? (await configuredSeeds(cfg));
  return {
    identity: workerIdentity(request.workerName ?? cfg.INIT_WORKER_NAME),
    seeds,
    wipe: request.wipe,
    generation: request.generation ?? seedGeneration(seeds.digest),
    runId: request.runId,
    leaseMs: cfg.INIT_LEASE_MS,
    pollMs: cfg.INIT_POLL_MS,
    waitTimeoutMs: cfg.INIT_WAIT_TIMEOUT_MS,
  };
}

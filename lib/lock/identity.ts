import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { APP_VERSION } from '../version';

export interface WorkerIdentity {
  worker_id: string;
  host: string;
  pid: number;
  version: string;
}

/** host:pid:suffix, or the name the operator gave (INIT_WORKER_NAME). */
export function workerIdentity(name?: string): WorkerIdentity {
  const host = os.hostname();
  return {
    worker_id: name ?? `${host}:${process.pid}:${randomBytes(3).toString('hex')}`,
    host,
    pid: process.pid,
    version: APP_VERSION,
  };
}

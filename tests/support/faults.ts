import type { Document, MongoClient } from 'mongodb';

/**
 * The emulator's fault points (the real server's `failCommand` shape, plus the emulator's
 * `holdUntilReleased` / `splitUpsert` extensions): they make a real server's interleavings happen
 * on purpose, in a chosen order, instead of by timing luck.
 */
export interface FaultData {
  failCommands: string[];
  appName?: string;
  errorCode?: number;
  errmsg?: string;
  errorLabels?: string[];
  closeConnection?: boolean;
  closeConnectionAfterWrite?: boolean;
  holdUntilReleased?: string;
  splitUpsert?: boolean;
  blockConnection?: boolean;
  blockTimeMS?: number;
}

export type FaultMode = 'alwaysOn' | { times: number } | { skip: number };

export async function setFault(admin: MongoClient, mode: FaultMode, data: FaultData): Promise<void> {
  await admin.db('admin').command({ configureFailPoint: 'failCommand', mode, data });
}

export async function clearFaults(admin: MongoClient, appName?: string): Promise<void> {
  await admin.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off', data: appName ? { appName } : {} });
}

/** The commands parked now: label, command name, appName, namespace. */
export async function parked(admin: MongoClient): Promise<Array<{ label: string; command: string; appName: string | null; ns: string }>> {
  const status: Document = await admin.db('admin').command({ failPointStatus: 1 });
  return status.parked as Array<{ label: string; command: string; appName: string | null; ns: string }>;
}

/** Waits until a command is parked under `label` (the holder has sent it and it has not run). */
export async function waitParked(admin: MongoClient, label: string, timeoutMs = 10_000): Promise<{ command: string; ns: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await parked(admin)).find((p) => p.label === label);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`nothing was parked under "${label}" within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets the commands parked under `label` run; returns how many there were. */
export async function releaseParked(admin: MongoClient, label: string): Promise<number> {
  const reply: Document = await admin.db('admin').command({ releaseFailPoint: label });
  return reply.released as number;
}

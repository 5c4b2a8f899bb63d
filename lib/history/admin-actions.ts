import os from 'node:os';
import type { Db } from 'mongodb';
import type { AuditEntry } from '../auth/action-guard';
import { INIT_HISTORY } from '../db/collections';
import { ServerClock } from '../db/server-clock';
import type { HistoryEvent } from '../schemas/history';

/** Admin actions that start no run of their own are grouped under this run id in the history. */
export const CONSOLE_ACTIONS_RUN = 'console-actions';

/** The history's worker id for what an admin did by hand: who, not which process. */
export const adminWorkerId = (email: string) => `admin:${email}`;

/** One `admin-action` event: who called which action, with what, and what came of it. */
export async function recordAdminAction(db: Db, entry: AuditEntry): Promise<void> {
  const at = await new ServerClock(db).sync();
  const doc: HistoryEvent = {
    at,
    run_id: entry.run_id ?? CONSOLE_ACTIONS_RUN,
    generation: entry.generation ?? entry.run_id ?? CONSOLE_ACTIONS_RUN,
    worker_id: adminWorkerId(entry.session.email),
    host: os.hostname(),
    pid: process.pid,
    fence: null,
    event: 'admin-action',
    detail: {
      action: entry.action,
      by: entry.session.email,
      role: entry.session.role,
      outcome: entry.outcome,
      params: entry.params ?? null,
      ...(entry.error !== undefined ? { error: entry.error } : {}),
    },
  };
  await db.collection<HistoryEvent>(INIT_HISTORY).insertOne(doc);
}

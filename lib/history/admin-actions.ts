import os from 'node:os';
import type { Db, ObjectId } from 'mongodb';
import type { AuditEntry } from '../auth/action-guard';
import { INIT_HISTORY } from '../db/collections';
import { derivedTimedObjectId } from '../db/derived-object-id';
import { isDuplicateKey } from '../db/duplicate-key';
import { ServerClock } from '../db/server-clock';
import type { HistoryEvent } from '../schemas/history';

/** Admin actions that start no run of their own are grouped under this run id in the history. */
export const CONSOLE_ACTIONS_RUN = 'console-actions';

/** The history's worker id for what an admin did by hand: who, not which process. */
export const adminWorkerId = (email: string) => `admin:${email}`;

/** Refused calls of one user are counted in one document per this window, not one each. */
export const REFUSALS_WINDOW_MS = 60_000;
/** The most a record keeps of an input and of an error message, in characters of JSON. */
export const MAX_RECORDED_PARAMS = 1_000;
export const MAX_RECORDED_ERROR = 300;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The input as the history keeps it: as it came when small, else its first characters as text. */
function recordedParams(params: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(params ?? null);
  } catch {
    return '(not recordable)';
  }
  if (text === undefined) return null;
  return text.length > MAX_RECORDED_PARAMS ? clip(text, MAX_RECORDED_PARAMS) : params;
}

/**
 * One `admin-action` event: who called which action, with what, and what came of it.
 * A refusal (a viewer calling an admin action) is counted instead, see recordRefusal.
 */
export async function recordAdminAction(db: Db, entry: AuditEntry): Promise<void> {
  if (entry.outcome === 'forbidden') return recordRefusal(db, entry);
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
      params: recordedParams(entry.params),
      ...(entry.error !== undefined ? { error: clip(entry.error, MAX_RECORDED_ERROR) } : {}),
    },
  };
  await db.collection<HistoryEvent>(INIT_HISTORY).insertOne(doc);
}

/**
 * The id of one user's refusals in one window: the window's start as the ObjectId's time (so it
 * sorts with its neighbours) and a digest of the email. A fixed id makes concurrent first refusals
 * one document: the loser of the insert race updates instead.
 */
function refusalsId(email: string, windowStart: Date): ObjectId {
  return derivedTimedObjectId(`admin-action-refused\0${email}`, windowStart);
}

/**
 * A refused call, counted: one document per user per REFUSALS_WINDOW_MS holds how many calls were
 * refused, which actions, when the first and the last came, and the last input (capped). A viewer
 * hammering an action therefore adds one document a minute, not one per call.
 */
async function recordRefusal(db: Db, entry: AuditEntry): Promise<void> {
  const at = await new ServerClock(db).sync();
  const windowStart = new Date(Math.floor(at.getTime() / REFUSALS_WINDOW_MS) * REFUSALS_WINDOW_MS);
  const _id = refusalsId(entry.session.email, windowStart);
  const update = {
    $setOnInsert: {
      at,
      run_id: CONSOLE_ACTIONS_RUN,
      generation: CONSOLE_ACTIONS_RUN,
      worker_id: adminWorkerId(entry.session.email),
      host: os.hostname(),
      pid: process.pid,
      fence: null,
      event: 'admin-action',
      'detail.action': entry.action,
      'detail.by': entry.session.email,
      'detail.role': entry.session.role,
      'detail.outcome': 'forbidden',
      'detail.window_ms': REFUSALS_WINDOW_MS,
    },
    $inc: { 'detail.count': 1 },
    $addToSet: { 'detail.actions': entry.action },
    $max: { 'detail.last_at': at },
    $set: { 'detail.params': recordedParams(entry.params) },
  };
  const history = db.collection(INIT_HISTORY);
  try {
    await history.updateOne({ _id }, update, { upsert: true });
  } catch (error) {
    // Two first refusals at once: one inserted the document, the other counts itself in it.
    if (!isDuplicateKey(error)) throw error;
    await history.updateOne({ _id }, update);
  }
}

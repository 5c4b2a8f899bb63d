import os from 'node:os';
import type { Db } from 'mongodb';
import { refuse, type ActionResult } from '../auth/action-guard';
import { INITIALIZATION, LOCK_ID } from '../db/collections';
import { ServerClock } from '../db/server-clock';
import { adminWorkerId } from '../history/admin-actions';
import { HistoryRecorder } from '../history/recorder';
import { durable } from '../db/concerns';
import { readLock } from '../lock/lease';
import { leaseExpiredBy, leaseIsLive } from '../lock/liveness';
import { APP_VERSION } from '../version';
import type { ForceReleaseInput } from './schemas';

export type ForceReleaseResult = ActionResult<{ released: string; expired: boolean; run_id: string; generation: string }>;

/**
 * Frees the lock by hand: allowed when its lease has expired, or while it is live when the admin
 * typed the holder's worker id. Conditional on the fence the admin saw, so a lock granted again
 * since is never released by mistake; without the typed id, also on the very expiry the admin
 * saw and on that expiry being past at the moment of the update, so a holder that woke up and
 * renewed in between keeps its lease. Like a release, it sets `holder: null` and keeps the
 * document (and its fence); the history and the lock say who did it. A holder that is still alive
 * finds on its next renewal that the lock no longer names it, and stops.
 */
export async function forceRelease(db: Db, input: ForceReleaseInput, by: string): Promise<ForceReleaseResult> {
  const clock = new ServerClock(db);
  const now = await clock.sync();
  const lock = await readLock(db);
  const holder = lock?.holder;
  if (!lock || !holder) return refuse('conflict', 'The lock is not held: there is nothing to release.');
  if (lock.fence !== input.fence) {
    return refuse('conflict', `The lock changed since you looked: it is now fence ${lock.fence ?? '—'}, held by ${holder.worker_id}. Nothing was released.`, {
      holder: holder.worker_id,
      lease_expires_at: lock.lease_expires_at?.toISOString() ?? null,
    });
  }
  const expired = !leaseIsLive(lock, now);
  const typed = input.confirm_worker_id === holder.worker_id;
  // Typed or not, the release is of the lease the admin saw: a holder that renewed since is
  // alive after all, and the admin decides again on what it is now.
  if (lock.lease_expires_at?.getTime() !== input.lease_expires_at.getTime()) {
    return refuse(
      'conflict',
      `The lease changed since you looked: it was renewed until ${lock.lease_expires_at?.toISOString() ?? '—'}. Nothing was released.`,
      {
        holder: holder.worker_id,
        lease_expires_at: lock.lease_expires_at?.toISOString() ?? null,
      },
    );
  }
  if (!expired && !typed) {
    return refuse('invalid', `The lease of ${holder.worker_id} is live: type its worker id exactly to release it anyway.`, {
      holder: holder.worker_id,
      lease_expires_at: lock.lease_expires_at?.toISOString() ?? null,
    });
  }
  const result = await db.collection<{ _id: string }>(INITIALIZATION).updateOne(
    {
      _id: LOCK_ID,
      fence: input.fence,
      'holder.worker_id': holder.worker_id,
      lease_expires_at: typed ? { $eq: input.lease_expires_at } : { $eq: input.lease_expires_at, ...leaseExpiredBy(now) },
    },
    {
      $set: {
        holder: null,
        released_at: now,
        released_by: by,
        force_released_by: by,
        force_released_holder: holder.worker_id,
        initialization_in_progress: false,
      },
    },
    durable(),
  );
  if (result.matchedCount !== 1) return refuse('conflict', 'The lock changed while it was being released: nothing was released. Look again.');

  // In the released holder's run, so its timeline says what happened to it.
  const history = new HistoryRecorder(
    db,
    clock,
    { worker_id: adminWorkerId(by), host: os.hostname(), pid: process.pid, version: APP_VERSION },
    { run_id: holder.run_id, generation: holder.generation },
  );
  await history.record('force-released', input.fence, {
    by,
    holder: holder.worker_id,
    expired,
    lease_expires_at: lock.lease_expires_at ?? null,
  });
  return { ok: true, released: holder.worker_id, expired, run_id: holder.run_id, generation: holder.generation };
}

import type { AnyBulkWriteOperation, Collection, Document, Filter } from 'mongodb';
import { leaseExpiredBy } from '../lock/liveness';
import type { Loose } from './context';

/**
 * The commands the product sends, in exactly the product's shapes, so the rows check what the
 * product relies on and not an easier variant.
 */

export const LOCK_ID = 'init_lock';
export const STATE_ID = 'init_state';

export interface ProbeHolder {
  worker_id: string;
  host: string;
  pid: number;
  run_id: string;
  generation: string;
}

export const holder = (worker: string, generation = 'probe-g1'): ProbeHolder => ({
  worker_id: worker,
  host: 'depictio-probe',
  pid: process.pid,
  run_id: `run-${worker}`,
  generation,
});

/**
 * The acquire: one upsert that matches only a free lock or an expired lease of a generation not
 * completed. Not pure equality on `_id`, so the server never retries the duplicate-key upsert as an
 * update: a live lease is an E11000.
 */
export function acquire(coll: Collection<Loose>, who: ProbeHolder, now: Date, leaseMs: number) {
  return coll.findOneAndUpdate(
    {
      _id: LOCK_ID,
      completed_generations: { $ne: who.generation },
      $or: [{ holder: null }, { lease_expires_at: leaseExpiredBy(now) }],
    },
    {
      $set: { holder: who, acquired_at: now, renewed_at: now, lease_expires_at: new Date(now.getTime() + leaseMs), worker_id: who.worker_id },
      $inc: { fence: 1 },
    },
    { upsert: true, returnDocument: 'before' },
  );
}

export const mine = (who: ProbeHolder, fence: number) => ({ _id: LOCK_ID, 'holder.worker_id': who.worker_id, fence });

export function renew(coll: Collection<Loose>, who: ProbeHolder, fence: number, now: Date, leaseMs: number) {
  return coll.findOneAndUpdate(
    mine(who, fence),
    { $set: { renewed_at: now, lease_expires_at: new Date(now.getTime() + leaseMs) }, $inc: { renewals: 1 } },
    { returnDocument: 'after', projection: { _id: 1 } },
  );
}

export function release(coll: Collection<Loose>, who: ProbeHolder, fence: number) {
  return coll.updateOne(mine(who, fence), { $set: { holder: null, released_at: new Date() } });
}

/** A seed write: replaced only while no newer holder has stamped the document. */
export const fencedReplace = (doc: Loose, fence: number): AnyBulkWriteOperation<Loose> => ({
  replaceOne: {
    filter: { _id: doc._id, $or: [{ seeded_fence: { $exists: false } }, { seeded_fence: { $lte: fence } }] },
    replacement: { ...doc, seeded_fence: fence },
    upsert: true,
  },
});

/** A wipe's delete: only the listed documents, and only those no newer holder stamped. */
export const fencedWipeFilter = (ids: string[], fence: number): Filter<Loose> => ({
  _id: { $in: ids },
  $or: [{ seeded_fence: { $exists: false } }, { seeded_fence: { $lt: fence } }],
});

/** The 11000 details of a server reply or a driver error: code, keyPattern, keyValue. */
export function duplicateKeyOf(error: unknown): { keyPattern?: Document; keyValue?: Document } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; keyPattern?: Document; keyValue?: Document; errorResponse?: Document };
  if (e.code !== 11000) return undefined;
  return { keyPattern: e.keyPattern ?? e.errorResponse?.keyPattern, keyValue: e.keyValue ?? e.errorResponse?.keyValue };
}

export const show = (value: unknown): string => (value === undefined ? 'none' : JSON.stringify(value));

export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { code?: unknown; codeName?: unknown; message?: string; errorLabels?: string[]; errorLabelSet?: Set<string> };
  const labels = e.errorLabelSet ? [...e.errorLabelSet] : (e.errorLabels ?? []);
  const code = e.code !== undefined ? `code ${String(e.code)}${e.codeName ? ` ${String(e.codeName)}` : ''}: ` : '';
  return `${code}${e.message ?? String(error)}${labels.length ? ` [${labels.join(', ')}]` : ''}`;
}

import { createHash } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { DASHBOARDS, DELTATABLES, INIT_HISTORY, INITIALIZATION, PROJECTS, STATE_ID } from '../db/collections';
import { PROJECT_PROJECTION } from './dc-index';
import { auditDigest, type AuditDigest } from './run-audit';

/**
 * The audit behind the dashboards list and the overview, held per database and re-run only when
 * the audited data changed, not on every 500 ms poll (10,000 dashboards take seconds to audit).
 *
 * How a change is noticed, without change streams or $collStats (neither on the emulator; change
 * streams not on a standalone), in two steps:
 *
 * 1. On every read, the change key: the init state (generation, fence, status) and the document
 *    counts of init_history, dashboards, projects and deltatables. `estimatedDocumentCount` is
 *    collection metadata on MongoDB (O(1)). init_history is append-only and every change the
 *    console makes to the audited data records events there — a seed or reseed, a repair and its
 *    undo (`repair`, `repair-undone`) — so its count moves with each of them, even when a repair
 *    edits a dashboard in place and no other count moves. Inserts and deletes move the counts.
 * 2. At most every VERIFY_MS, the content fingerprint: a hash of every dashboard's _id and
 *    `last_saved_ts` (the platform stamps it on every save of a dashboard), and of the projects and
 *    registrations as the audit reads them. This catches edits made by the platform itself, which
 *    write no history. It reads one narrow field per dashboard, so it is not done on every poll.
 *
 * What neither step sees (an edit by hand that keeps the counts and `last_saved_ts`) is seen after
 * MAX_AGE_MS: the audit then re-runs in the background while readers keep the digest they have.
 * A change the key or the fingerprint sees makes readers wait for the new audit instead (the page
 * must show a repair's result at once). Concurrent readers share one audit run.
 */
const VERIFY_MS = 5_000;
const MAX_AGE_MS = 120_000;
/** Databases held at once: the console reads one; tests and drills make more. */
const MAX_ENTRIES = 8;

interface Entry {
  key: string;
  fingerprint: Promise<string>;
  digest: Promise<AuditDigest>;
  builtAt: number;
  verifiedAt: number;
  verifying: Promise<boolean> | null;
  /** The age limit's re-run is under way. */
  refreshing: boolean;
}

const entries = new Map<string, Entry>();
const clientIds = new WeakMap<MongoClient, number>();
let nextClientId = 0;

function cacheName(db: Db): string {
  let id = clientIds.get(db.client);
  if (id === undefined) clientIds.set(db.client, (id = nextClientId += 1));
  return `${id}/${db.databaseName}`;
}

/** Step 1: cheap enough for every poll. */
export async function changeKey(db: Db): Promise<string> {
  const count = (name: string) => db.collection(name).estimatedDocumentCount();
  const [state, history, dashboards, projects, deltatables] = await Promise.all([
    db.collection(INITIALIZATION).findOne({ _id: STATE_ID as never }, { projection: { generation: 1, fence: 1, status: 1, run_id: 1 } }),
    count(INIT_HISTORY),
    count(DASHBOARDS),
    count(PROJECTS),
    count(DELTATABLES),
  ]);
  return JSON.stringify([state?.generation, state?.fence, state?.status, state?.run_id, history, dashboards, projects, deltatables]);
}

/** Step 2: one pass over a narrow projection of the audited collections, in _id order. */
export async function contentFingerprint(db: Db): Promise<string> {
  const hash = createHash('sha256');
  const feed = async (name: string, projection: Record<string, 1>) => {
    hash.update(`\n${name}\n`);
    for await (const doc of db.collection(name).find({}, { projection, sort: { _id: 1 } })) hash.update(JSON.stringify(doc));
  };
  await feed(DASHBOARDS, { _id: 1, last_saved_ts: 1 });
  await feed(PROJECTS, PROJECT_PROJECTION);
  await feed(DELTATABLES, { data_collection_id: 1, 'aggregation.aggregation_columns_specs.name': 1 });
  return hash.digest('hex');
}

function build(db: Db, name: string, key: string, now: number): Entry {
  // The fingerprint is read before the audit: a change made while the audit runs makes the
  // next verification differ, and so re-runs the audit, instead of being missed.
  const fingerprint = contentFingerprint(db);
  return { key, fingerprint, digest: fingerprint.then(() => auditDigest(db)), builtAt: now, verifiedAt: now, verifying: null, refreshing: false };
}

function publish(name: string, entry: Entry): Entry {
  // A failed audit is not kept: the next read tries again. (Its readers still see the error.)
  entry.digest.catch(() => {
    if (entries.get(name) === entry) entries.delete(name);
  });
  entries.delete(name);
  entries.set(name, entry);
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return entry;
}

/** The age limit's re-run: readers keep the old digest until the new one is ready (nothing changed that we know of). */
function refreshInBackground(db: Db, name: string, old: Entry, now: number): void {
  if (old.refreshing) return;
  old.refreshing = true;
  const fresh = build(db, name, old.key, now);
  fresh.digest.then(
    () => {
      if (entries.get(name) === old) publish(name, fresh);
    },
    () => {
      old.refreshing = false;
    },
  );
}

/** Whether the entry's content is unchanged; one verification at a time per entry. */
function verify(db: Db, entry: Entry, now: number): Promise<boolean> {
  entry.verifying ??= Promise.all([entry.fingerprint, contentFingerprint(db)])
    .then(([was, is]) => {
      if (was === is) entry.verifiedAt = now;
      return was === is;
    })
    .finally(() => {
      entry.verifying = null;
    });
  return entry.verifying;
}

export interface CacheOptions {
  /** How long a verified fingerprint is trusted (tests pass 0 to verify on every read). */
  verifyMs?: number;
  now?: () => number;
}

/** The audit digest of `db`, from the cache while the data is unchanged. */
export async function cachedAuditDigest(db: Db, options: CacheOptions = {}): Promise<AuditDigest> {
  const now = (options.now ?? Date.now)();
  const verifyMs = options.verifyMs ?? VERIFY_MS;
  const name = cacheName(db);
  const key = await changeKey(db);
  let entry = entries.get(name);
  if (entry && entry.key !== key) entry = undefined;
  if (entry && now - entry.verifiedAt >= verifyMs && !(await verify(db, entry, now))) {
    // Readers that verified the same entry together rebuild once: the first one's build serves the rest.
    const rebuilt = entries.get(name);
    return (rebuilt && rebuilt !== entry && rebuilt.key === key ? rebuilt : publish(name, build(db, name, key, now))).digest;
  }
  if (!entry) return publish(name, build(db, name, key, now)).digest;
  if (now - entry.builtAt >= MAX_AGE_MS) refreshInBackground(db, name, entry, now);
  return entry.digest;
}

/** Drops every entry (tests that need a cold start). */
export function clearAuditCache(): void {
  entries.clear();
}

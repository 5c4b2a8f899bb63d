import type { Collection, Db, Document, Filter } from 'mongodb';
import { DASHBOARDS, DELTATABLES, GROUPS, INITIALIZATION, LOCK_ID, MULTIQC, PROJECTS, USERS } from '../db/collections';
import type { ServerClock } from '../db/server-clock';
import type { HistoryRecorder } from '../history/recorder';
import { isDuplicateKey } from '../db/duplicate-key';
import type { WorkerIdentity } from '../lock/identity';
import type { SeedBundle, SeedProjectBundle } from '../seeds/build';

/**
 * What the old platform's initialization had in common, before and after the incident's fix:
 * a lock document in `initialization` with the platform's own fields, `dropDatabase` as the wipe,
 * check-then-insert seeding without unique indexes or fencing, and waiting workers that look at the
 * lock once in a while. Only the race drill uses this; the product never does.
 */

export interface LegacyWorkerOptions {
  /** The scratch database the algorithm initializes (and drops). */
  db: Db;
  /** The drill's observer: writes to a sibling database that `dropDatabase` does not reach. */
  history: HistoryRecorder;
  clock: ServerClock;
  identity: WorkerIdentity;
  seeds: SeedBundle;
  wipe: boolean;
  pollMs: number;
  waitTimeoutMs: number;
  /** copy-drop-restore: pause between the drop and the re-insert of the lock's copy. */
  windowMs: number;
}

export type LegacyOutcome =
  | { outcome: 'acquired'; counts: Record<string, number>; wiped: boolean }
  | { outcome: 'waited' | 'skipped'; completedBy: string | null }
  | { outcome: 'failed'; reason: string };

/** The lock as the platform wrote it. */
export interface PlatformLock {
  _id: typeof LOCK_ID;
  worker_id: string;
  started_at: Date;
  initialization_in_progress: boolean;
  initialization_complete: boolean;
  completed_at?: Date;
}

export const lockCollection = (db: Db): Collection<PlatformLock> => db.collection<PlatformLock>(INITIALIZATION);

export function platformLock(identity: WorkerIdentity, now: Date): PlatformLock {
  return { _id: LOCK_ID, worker_id: identity.worker_id, started_at: now, initialization_in_progress: true, initialization_complete: false };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One try at the lock: taken, or the lock as it was seen (null when nothing was there). */
export type TakeAttempt = { taken: true } | { taken: false; lock: PlatformLock | null };

/**
 * The old wait: try for the lock; when someone else holds it, look again every `pollMs` (a fixed
 * interval, no jitter). A lock marked complete means done; a lock that is gone is free to take.
 * `firstDetail` goes into the first event after boot.
 */
export async function legacyAcquireOrWait(
  o: LegacyWorkerOptions,
  tryTake: () => Promise<TakeAttempt>,
  initialize: (detail: Record<string, unknown>) => Promise<LegacyOutcome>,
  firstDetail: Record<string, unknown> = {},
): Promise<LegacyOutcome> {
  const deadline = Date.now() + o.waitTimeoutMs;
  let waited = false;
  let announced: string | undefined;
  let detail: Record<string, unknown> = firstDetail;
  const once = () => {
    const d = detail;
    detail = {};
    return d;
  };
  for (;;) {
    const attempt = await tryTake();
    if (attempt.taken) return initialize(once());
    const { lock } = attempt;
    if (lock?.initialization_complete) {
      await o.history.record(waited ? 'ready' : 'skipped-complete', null, { ...once(), completed_by: lock.worker_id });
      return { outcome: waited ? 'waited' : 'skipped', completedBy: lock.worker_id };
    }
    if (lock === null) continue; // it went away between the try and the read: try again at once
    if (lock.worker_id !== announced) {
      await o.history.record('waiting', null, { ...once(), holder: lock.worker_id, started_at: lock.started_at ?? null });
      announced = lock.worker_id;
    }
    waited = true;
    if (Date.now() >= deadline) {
      const reason = `not initialized after ${o.waitTimeoutMs} ms (lock held by ${lock.worker_id})`;
      await o.history.record('wait-timeout', null, { reason });
      return { outcome: 'failed', reason };
    }
    await sleep(o.pollMs);
  }
}

/** Inserts the platform's lock: a duplicate key means someone holds it, and says who. */
export async function insertLock(o: LegacyWorkerOptions): Promise<TakeAttempt> {
  try {
    await lockCollection(o.db).insertOne(platformLock(o.identity, o.clock.now()));
    return { taken: true };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return { taken: false, lock: await lockCollection(o.db).findOne({ _id: LOCK_ID }) };
  }
}

/** The platform's "done": a flag on whatever lock document is there now (no upsert, no owner check). */
export async function markComplete(o: LegacyWorkerOptions): Promise<boolean> {
  const result = await lockCollection(o.db).updateOne(
    { _id: LOCK_ID },
    { $set: { initialization_in_progress: false, initialization_complete: true, completed_at: o.clock.now() } },
  );
  return result.matchedCount === 1;
}

/** The platform's cleanup after a failure: delete the lock, whoever's it is now. */
export async function deleteLockInCleanup(o: LegacyWorkerOptions): Promise<string | null> {
  const current = await lockCollection(o.db).findOne({ _id: LOCK_ID });
  await lockCollection(o.db).deleteOne({ _id: LOCK_ID });
  return current?.worker_id ?? null;
}

export interface LegacySeedResult {
  counts: Record<string, number>;
  /** Inserts that lost a race on `_id` (the check said absent, the insert found it present). */
  conflicts: number;
  registrationErrors: string[];
}

/**
 * The platform's seeding: every create is check-then-insert on a natural key, with no unique index
 * behind it. Projects, dashboards, users and groups carry the seed facts' fixed ids (a lost race is
 * a duplicate key on `_id`, logged and skipped, as "already exists"); registrations get an id from
 * the database, so two workers that both find none both insert one. A registration first looks
 * for the project holding its DC, and fails as the platform did when a wipe has removed it.
 */
export async function legacySeed(
  db: Db,
  bundle: SeedBundle,
  onProject: (entry: SeedProjectBundle, result: { created: boolean; conflicts: number; registrationErrors: string[] }) => Promise<void>,
): Promise<LegacySeedResult> {
  const counts: Record<string, number> = { users: 0, groups: 0, projects: 0, dashboards: 0, deltatables: 0, multiqc: 0 };
  let conflicts = 0;
  const registrationErrors: string[] = [];

  const createIfMissing = async (collection: string, filter: Filter<Document>, doc: Document): Promise<boolean> => {
    if (await db.collection(collection).findOne(filter, { projection: { _id: 1 } })) return false;
    try {
      // A copy: the driver writes a generated `_id` into the document it inserts.
      await db.collection(collection).insertOne({ ...doc });
      counts[collection] = (counts[collection] ?? 0) + 1;
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      conflicts += 1;
      return false;
    }
  };

  for (const user of bundle.users) await createIfMissing(USERS, { email: user.email }, user);
  for (const group of bundle.groups) await createIfMissing(GROUPS, { name: group.name }, group);
  for (const entry of bundle.projects) {
    const before = conflicts;
    const errorsBefore = registrationErrors.length;
    const created = await createIfMissing(PROJECTS, { name: entry.project.name }, entry.project);
    for (const dashboard of entry.dashboards) await createIfMissing(DASHBOARDS, { _id: dashboard._id }, dashboard);
    for (const [collection, docs] of [
      [DELTATABLES, entry.deltatables],
      [MULTIQC, entry.multiqc],
    ] as const) {
      for (const { _id: _derived, ...registration } of docs) {
        const dcId = registration.data_collection_id;
        const project = await db.collection(PROJECTS).findOne({ 'workflows.data_collections._id': dcId }, { projection: { _id: 1 } });
        if (!project) {
          registrationErrors.push(`No projects containing Data Collection id ${dcId.toHexString()} found for the current user.`);
          continue;
        }
        await createIfMissing(collection, { data_collection_id: dcId }, registration);
      }
    }
    await onProject(entry, { created, conflicts: conflicts - before, registrationErrors: registrationErrors.slice(errorsBefore) });
  }
  return { counts, conflicts, registrationErrors };
}

/** Records each project as the platform logged it, then whether it was created by this worker. */
export function recordProject(o: LegacyWorkerOptions) {
  return (entry: SeedProjectBundle, result: { created: boolean; conflicts: number; registrationErrors: string[] }) =>
    o.history.record('seeded-project', null, {
      project_id: entry.project._id.toHexString(),
      name: entry.project.name,
      created: result.created,
      insert_conflicts: result.conflicts,
      registration_errors: result.registrationErrors,
    });
}

/** The platform's last steps, the same in both old algorithms: seed by check-then-insert, mark the lock complete. */
export async function seedAndMarkComplete(o: LegacyWorkerOptions): Promise<LegacyOutcome> {
  const seeded = await legacySeed(o.db, o.seeds, recordProject(o));
  const marked = await markComplete(o);
  await o.history.record('completed', null, {
    counts: seeded.counts,
    insert_conflicts: seeded.conflicts,
    registration_errors: seeded.registrationErrors.length,
    completion_marked: marked,
  });
  return { outcome: 'acquired', counts: seeded.counts, wiped: o.wipe };
}

/** The platform's failure path: its cleanup deletes the lock, whoever holds it by then. */
export async function failWithCleanup(o: LegacyWorkerOptions, error: unknown, detail: Record<string, unknown> = {}): Promise<LegacyOutcome> {
  const reason = (error as Error).message;
  const deleted = await deleteLockInCleanup(o).catch(() => null);
  await o.history.record('failed', null, { reason, ...detail, deleted_lock_of: deleted }).catch(() => {});
  return { outcome: 'failed', reason };
}

import type { Db, Document } from 'mongodb';
import { DASHBOARDS } from '../db/collections';
import { durable } from '../db/concerns';
import { fromStored, toStored } from '../audit/stored-value';
import type { RepairComponent } from './schemas';
import { sameStored } from './stored-value';
import { storedValueText } from '../audit/suggestion-text';

type Loose = Record<string, unknown>;

/** Apply writes each edit's `after` where its `before` still is; undo writes `before` back where the `after` still is. */
export type Direction = 'apply' | 'undo';

function getPath(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split('.')) at = at !== null && typeof at === 'object' ? (at as Loose)[key] : undefined;
  return at;
}

/** Why the conditional update matched nothing, in words: what the document holds now. */
async function whyNot(db: Db, component: RepairComponent, direction: Direction): Promise<string> {
  const { location } = component;
  const doc = await db.collection(DASHBOARDS).findOne({ _id: fromStored(location.dashboard_id) } as Document, { projection: { stored_metadata: 1 } });
  const since = direction === 'apply' ? 'since the plan' : 'since the repair';
  if (!doc) return `skipped: the dashboard document ${storedValueText(location.dashboard_id)} no longer exists`;
  const stored = Array.isArray(doc.stored_metadata) ? (doc.stored_metadata as unknown[])[location.position] : undefined;
  const index = toStored(getPath(stored, 'index'));
  if (stored === undefined || !sameStored(index, location.index)) {
    return `skipped: changed ${since}: position ${location.position} no longer holds component ${storedValueText(location.index)}`;
  }
  const changed = component.edits
    .map((e) => ({ field: e.field, expected: direction === 'apply' ? e.before : e.after, now: toStored(getPath(stored, e.field)) }))
    .filter((c) => !sameStored(c.expected, c.now))
    .map((c) => `${c.field} is now ${storedValueText(c.now)}, not ${storedValueText(c.expected)}`);
  return `skipped: changed ${since}: ${changed.join('; ') || 'the component was edited meanwhile'}`;
}

/**
 * One component's edits as one conditional update: it matches only the named document whose
 * component at that position still has the planned index and, for every edited field, the value
 * the edits expect (same value, same type). Anything edited meanwhile is left as it is and
 * reported. Returns null when written, else why not.
 */
export async function updateComponent(db: Db, component: RepairComponent, direction: Direction): Promise<string | null> {
  const { location } = component;
  const at = `stored_metadata.${location.position}`;
  // The position must exist: a filter on null would match a missing element, and $set would pad the array.
  const filter: Loose = { _id: fromStored(location.dashboard_id), [at]: { $exists: true }, [`${at}.index`]: fromStored(location.index) };
  const set: Loose = {};
  for (const edit of component.edits) {
    const [expected, written] = direction === 'apply' ? [edit.before, edit.after] : [edit.after, edit.before];
    filter[`${at}.${edit.field}`] = fromStored(expected);
    set[`${at}.${edit.field}`] = fromStored(written);
  }
  const result = await db.collection(DASHBOARDS).updateOne(filter as Document, { $set: set }, durable());
  return result.matchedCount === 1 ? null : whyNot(db, component, direction);
}

import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { INIT_HISTORY } from '../../lib/db/collections';
import { EXPORT_SORT, encodeCursor, eventsPageQuery, historyMatch, type HistoryFilter } from '../../lib/console/history-query';
import { INDEXES } from '../../lib/init/indexes';

/**
 * Every filtered keyset page of the history is one index range scan: an index whose keys are
 * exactly the page's equality fields (in any order), then the sort key (at, _id) in one relative
 * direction (forwards or backwards), and every range of the query on `at`, the key right after the
 * equalities, so the scan starts at the page's position. Checked against the queries the pages
 * send (eventsPageQuery, the export's and a run's order), not against a copy of them.
 */
type Key = Record<string, number>;

interface Shape {
  equalities: string[];
  ranges: string[];
  /** Fields of `$or` clauses: a residual filter, allowed on the sort key only. */
  alternatives: string[];
}

/** The conjunction of a filter, flattened through `$and`. */
function shapeOf(filter: Document): Shape {
  const shape: Shape = { equalities: [], ranges: [], alternatives: [] };
  const walk = (clause: Document) => {
    for (const [field, value] of Object.entries(clause)) {
      if (field === '$and') for (const part of value as Document[]) walk(part);
      else if (field === '$or') shape.alternatives.push(...(value as Document[]).flatMap((d) => Object.keys(d)));
      else if (value !== null && typeof value === 'object' && !(value instanceof Date) && Object.keys(value).some((k) => k.startsWith('$')))
        shape.ranges.push(field);
      else shape.equalities.push(field);
    }
  };
  walk(filter);
  return shape;
}

/** The index that serves the query as one range scan, if any. */
function servingIndex(keys: Key[], shape: Shape, sort: Key): Key | undefined {
  const sortFields = Object.keys(sort);
  return keys.find((key) => {
    const fields = Object.keys(key);
    const prefix = fields.slice(0, shape.equalities.length);
    if (fields.length !== shape.equalities.length + sortFields.length) return false;
    if ([...prefix].sort().join() !== [...new Set(shape.equalities)].sort().join()) return false;
    if (fields.slice(shape.equalities.length).join() !== sortFields.join()) return false;
    const same = sortFields.every((f) => key[f] === sort[f]);
    const reversed = sortFields.every((f) => key[f] === -sort[f]!);
    return same || reversed;
  });
}

function expectRangeScan(keys: Key[], filter: Document, sort: Key) {
  const shape = shapeOf(filter);
  const index = servingIndex(keys, shape, sort);
  expect(index, `an index of ${JSON.stringify(shape.equalities)} then ${JSON.stringify(sort)}`).toBeDefined();
  // A range on a later key than the first after the equalities would be a filter over the scan.
  expect(new Set(shape.ranges)).toEqual(new Set(shape.ranges.length ? [Object.keys(sort)[0]] : []));
  for (const field of shape.alternatives) expect(Object.keys(sort)).toContain(field);
}

const history = INDEXES[INIT_HISTORY]!.map((d) => d.key as Key);
const position = encodeCursor({ at: '2026-01-01T00:00:00.000Z', id: '0123456789abcdef01234567' });

/** Every combination of the workers page's filters. */
function combinations(): Array<Partial<HistoryFilter>> {
  const fields: Array<Partial<HistoryFilter>> = [{ run: 'r' }, { worker: 'w' }, { event: 'boot' }];
  const times: Array<Partial<HistoryFilter>> = [{}, { from: new Date(0) }, { from: new Date(0), to: new Date(1e12) }];
  const out: Array<Partial<HistoryFilter>> = [];
  for (let mask = 0; mask < 1 << fields.length; mask += 1) {
    const chosen = Object.assign({}, ...fields.filter((_, i) => mask & (1 << i))) as Partial<HistoryFilter>;
    for (const time of times) out.push({ ...chosen, ...time });
  }
  return out;
}

describe('history indexes match the queries', () => {
  for (const filter of combinations()) {
    for (const page of [{ limit: 50 }, { before: position, limit: 50 }, { after: position, limit: 50 }]) {
      const where = Object.keys(page).filter((k) => k !== 'limit')[0] ?? 'first';
      it(`events page (${where}) filtered by ${JSON.stringify(Object.keys(filter))}`, () => {
        const query = eventsPageQuery(filter, page);
        expectRangeScan(history, query.filter, query.sort);
      });
    }
    it(`export filtered by ${JSON.stringify(Object.keys(filter))}`, () => {
      expectRangeScan(history, historyMatch(filter), EXPORT_SORT);
    });
  }

  it('a page from a position bounds `at`, so the scan starts there', () => {
    for (const page of [
      { before: position, limit: 5 },
      { after: position, limit: 5 },
    ]) {
      expect(shapeOf(eventsPageQuery({ run: 'r' }, page).filter).ranges).toContain('at');
    }
  });

  it('the check itself rejects an index without the _id suffix, a mixed direction, or one filter field too many', () => {
    const run = shapeOf(historyMatch({ run: 'r' }));
    expect(servingIndex([{ run_id: 1, at: 1 }], run, { at: 1, _id: 1 })).toBeUndefined();
    expect(servingIndex([{ run_id: 1, at: 1, _id: -1 }], run, { at: 1, _id: 1 })).toBeUndefined();
    expect(servingIndex([{ run_id: 1, worker_id: 1, at: 1, _id: 1 }], run, { at: 1, _id: 1 })).toBeUndefined();
    expect(servingIndex([{ run_id: 1, at: -1, _id: -1 }], run, { at: 1, _id: 1 })).toBeDefined();
    // Two filters on the run's index alone: the worker would be a filter over the run's range.
    expect(servingIndex([{ run_id: 1, at: 1, _id: 1 }], shapeOf(historyMatch({ run: 'r', worker: 'w' })), { at: 1, _id: 1 })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { INIT_HISTORY } from '../../lib/db/collections';
import { historyMatch } from '../../lib/console/history-query';
import { INDEXES } from '../../lib/init/indexes';

/**
 * Every filtered keyset page of the history is an index range scan: for each equality filter the
 * pages use, an index starts with that field and continues with the sort key (at, _id) in one
 * relative direction, so both newest-first and oldest-first pages walk it without a sort.
 */
const SORTS = [
  { at: -1, _id: -1 },
  { at: 1, _id: 1 },
] as const;

function serves(key: Record<string, number>, prefix: string[], sort: Record<string, number>): boolean {
  const fields = Object.keys(key);
  const wanted = [...prefix, ...Object.keys(sort)];
  if (fields.length < wanted.length || wanted.some((f, i) => fields[i] !== f)) return false;
  // Forwards or backwards: the sort's directions are all the index's, or all reversed.
  const sortFields = Object.keys(sort);
  const same = sortFields.every((f) => key[f] === sort[f]);
  const reversed = sortFields.every((f) => key[f] === -sort[f]!);
  return same || reversed;
}

describe('history indexes match the queries', () => {
  const history = INDEXES[INIT_HISTORY]!.map((d) => d.key as Record<string, number>);
  const filters = [{}, { run: 'r' }, { worker: 'w' }, { event: 'boot' as const }];

  for (const filter of filters) {
    const prefix = Object.keys(historyMatch(filter));
    for (const sort of SORTS) {
      it(`filter ${JSON.stringify(prefix)} sorted ${JSON.stringify(sort)}`, () => {
        expect(history.some((key) => serves(key, prefix, sort))).toBe(true);
      });
    }
  }

  it('the check itself rejects an index without the _id suffix', () => {
    expect(serves({ run_id: 1, at: 1 }, ['run_id'], { at: 1, _id: 1 })).toBe(false);
    expect(serves({ run_id: 1, at: 1, _id: -1 }, ['run_id'], { at: 1, _id: 1 })).toBe(false);
  });
});

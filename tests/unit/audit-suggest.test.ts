import { describe, expect, it } from 'vitest';
import { fromStored, toStored } from '../../lib/audit/stored-value';
import { componentSuggestionSchema, type ComponentRow } from '../../lib/audit/types';
import { ID, auditOne, auditRows, dashboardTab, oid, stored } from './audit-fixtures';

/** Suggested fixes come from evidence in the document and the database; without evidence, "no fix known". */

const STRAY = '646b0f3c1e4a2d7f8e5b8cee';
const card = (extra: Record<string, unknown> = {}) => stored('card', ID.metadata, { aggregation: 'count', column_name: 'sample', ...extra });
const fixesOf = (row: ComponentRow) => {
  expect(componentSuggestionSchema.parse(row.suggestion)).toEqual(row.suggestion);
  if (!row.suggestion || row.suggestion.none) throw new Error(`expected fixes, got ${JSON.stringify(row.suggestion)}`);
  return row.suggestion.fixes;
};
const lookedAt = (row: ComponentRow) => {
  if (!row.suggestion?.none) throw new Error(`expected no fix, got ${JSON.stringify(row.suggestion)}`);
  return row.suggestion.looked_at;
};

describe('a dc_id that is no DC', () => {
  it("whose snapshot id and tags name a DC of the dashboard's project: that DC, high confidence, in the stored form of the id", () => {
    const row = auditOne(card({ dc_id: oid(STRAY) }));
    expect(row.status).toBe('error');
    expect(fixesOf(row)).toEqual([
      {
        field: 'dc_id',
        before: { $oid: STRAY },
        after: { $oid: ID.metadata },
        reason: `the component's snapshot names DC metadata of the dashboard's project (dc_config._id ${ID.metadata}, dc_config.data_collection_tag "metadata", data_collection_tag "metadata")`,
        confidence: 'high',
      },
    ]);
    // Stored as text, it stays text.
    expect(fixesOf(auditOne(card({ dc_id: STRAY })))[0]).toMatchObject({ before: STRAY, after: ID.metadata });
  });

  it('named by a tag alone: medium confidence', () => {
    const row = auditOne(card({ dc_id: oid(STRAY), dc_config: { type: 'table', data_collection_tag: 'metadata' }, data_collection_tag: '' }));
    expect(fixesOf(row)).toMatchObject([{ field: 'dc_id', after: { $oid: ID.metadata }, confidence: 'medium' }]);
  });

  it('brings the wf_id and the snapshot id along when they disagree with the new DC, so the row ends consistent', () => {
    const row = auditOne(card({ dc_id: oid(STRAY), wf_id: oid(ID.otherWorkflow), dc_config: { _id: oid(STRAY), data_collection_tag: 'metadata' } }));
    expect(fixesOf(row).map((f) => [f.field, f.before, f.after])).toEqual([
      ['dc_id', { $oid: STRAY }, { $oid: ID.metadata }],
      ['wf_id', { $oid: ID.otherWorkflow }, { $oid: ID.workflow }],
      ['dc_config._id', { $oid: STRAY }, { $oid: ID.metadata }],
    ]);
  });

  it('with evidence that disagrees with itself: no fix known, saying so', () => {
    const row = auditOne(card({ dc_id: oid(STRAY), data_collection_tag: 'ancombc_results' }));
    expect(lookedAt(row)).toEqual([
      `the snapshot names 2 different DCs: metadata (dc_config._id ${ID.metadata}, dc_config.data_collection_tag "metadata"); ancombc_results (data_collection_tag "ancombc_results")`,
    ]);
  });

  it('never takes a DC of another project, nor a tag that names nothing: no fix known, with what was looked at', () => {
    const row = auditOne(card({ dc_id: oid(STRAY), dc_config: { _id: oid(ID.iris), data_collection_tag: 'iris_table' }, data_collection_tag: null }));
    expect(lookedAt(row)).toEqual([
      `dc_config._id ${ID.iris}: a DC of another project than "Ampliseq Microbial Community Analysis"`,
      'dc_config.data_collection_tag "iris_table": no DCs of project "Ampliseq Microbial Community Analysis" have this tag',
      'data_collection_tag: absent',
    ]);
  });

  it('null or missing: the snapshot is evidence too', () => {
    expect(fixesOf(auditOne(card({ dc_id: null })))).toMatchObject([{ field: 'dc_id', before: null, after: { $oid: ID.metadata } }]);
  });

  it('a DC of another project, while the snapshot names one of the dashboard’s: that one', () => {
    const row = auditOne(card({ dc_id: oid(ID.iris), wf_id: oid(ID.otherWorkflow), dc_config: { _id: oid(ID.iris), data_collection_tag: 'metadata' } }));
    expect(fixesOf(row).map((f) => [f.field, f.after, f.confidence])).toEqual([
      ['dc_id', { $oid: ID.metadata }, 'medium'],
      ['wf_id', { $oid: ID.workflow }, 'high'],
      ['dc_config._id', { $oid: ID.metadata }, 'high'],
    ]);
  });
});

describe('a dc_id that is a DC, but not the one the snapshot tag names', () => {
  // The card reads "Phylum" and "rel_abundance": columns of taxonomy_rel_abundance, not of metadata.
  const reused = (extra: Record<string, unknown> = {}) =>
    stored('card', ID.metadata, { aggregation: 'sum', column_name: 'rel_abundance', breakdown_col: 'Phylum', ...extra }, 'taxonomy_rel_abundance');

  it('the tagged DC when the columns settle it: medium confidence, the snapshot id along', () => {
    expect(fixesOf(auditOne(reused())).map((f) => [f.field, f.after, f.confidence])).toEqual([
      ['dc_id', { $oid: ID.relAbundance }, 'medium'],
      ['dc_config._id', { $oid: ID.relAbundance }, 'high'],
    ]);
  });

  it('no fix when the columns do not settle it (all present here, or not all there), nor when the two tags disagree', () => {
    expect(lookedAt(auditOne(reused({ column_name: 'sample', breakdown_col: 'habitat' })))[0]).toContain(
      "the component's columns do not show it was made for that DC",
    );
    expect(lookedAt(auditOne(reused({ breakdown_col: 'city' })))[0]).toContain('do not show it');
    expect(lookedAt(auditOne(reused({ data_collection_tag: 'ancombc_results' })))).toContain(
      'snapshot tags "ancombc_results" and "taxonomy_rel_abundance": they disagree with each other',
    );
  });
});

describe('a legacy A--B dc_id', () => {
  it('becomes the join DC of A and B, in either order', () => {
    for (const legacy of [`${ID.metadata}--${ID.relAbundance}`, `${ID.relAbundance}--${ID.metadata}`]) {
      const row = auditOne(card({ dc_id: legacy, dc_config: { _id: legacy } }));
      expect(fixesOf(row)).toMatchObject([
        { field: 'dc_id', before: legacy, after: ID.joined, confidence: 'high' },
        { field: 'dc_config._id', before: legacy, after: ID.joined },
      ]);
    }
  });

  it('with no join DC of these two: no fix known', () => {
    expect(lookedAt(auditOne(card({ dc_id: `${ID.metadata}--${ID.ancombc}`, dc_config: {} })))).toEqual([
      `join DCs: none joins ${ID.metadata} and ${ID.ancombc}`,
    ]);
  });
});

describe('the other fixes', () => {
  it("a wf_id that is not the DC's workflow → the DC's workflow", () => {
    expect(fixesOf(auditOne(card({ wf_id: ID.otherWorkflow })))).toEqual([
      {
        field: 'wf_id',
        before: ID.otherWorkflow,
        after: ID.workflow,
        reason: `DC metadata (${ID.metadata}) is the component's dc_id; its workflow is ${ID.workflow}`,
        confidence: 'high',
      },
    ]);
  });

  it('a stale dc_config._id → the dc_id', () => {
    const row = auditOne(card({ dc_config: { _id: oid('68ee1ce0766d13e034d230f7'), data_collection_tag: 'metadata' } }));
    expect(fixesOf(row)).toMatchObject([
      { field: 'dc_config._id', before: { $oid: '68ee1ce0766d13e034d230f7' }, after: { $oid: ID.metadata }, confidence: 'high' },
    ]);
  });

  it('a text tile bound to a DC → unbind (after: null)', () => {
    const row = auditOne({ index: 'section-1', component_type: 'text', title: 'Overview', dc_id: oid(ID.metadata), data_collection_tag: '' });
    expect(fixesOf(row)).toMatchObject([{ field: 'dc_id', before: { $oid: ID.metadata }, after: null, confidence: 'high' }]);
  });

  it('a finding no fix is known for (a missing column): no fix known, with what was looked at', () => {
    expect(lookedAt(auditOne(card({ column_name: 'depth' })))).toEqual([
      'column "depth" (column_name): DC metadata has 10 known columns and nothing names a replacement',
    ]);
  });

  it('a clean component: no suggestion at all', () => {
    expect(auditOne(card()).suggestion).toBeNull();
  });
});

describe('the location of a suggestion', () => {
  it('is the stored document id, the stored index and the array position, exact enough for a conditional update', () => {
    const rows = auditRows([
      dashboardTab([card(), card({ index: 'second', dc_id: oid(STRAY) })]),
      {
        ...dashboardTab([card({ index: 7, wf_id: oid(ID.otherWorkflow) })]),
        _id: '6824cb3b89d2b7216930973a',
        parent_dashboard_id: oid(ID.dashboard),
        tab_order: 1,
      },
    ]);
    expect(rows.map((r) => r.location)).toEqual([
      { dashboard_id: { $oid: ID.dashboard }, index: 'card-a5', position: 0 },
      { dashboard_id: { $oid: ID.dashboard }, index: 'second', position: 1 },
      { dashboard_id: '6824cb3b89d2b7216930973a', index: 7, position: 0 },
    ]);
    expect(rows[1]!.suggestion).toMatchObject({ none: false, location: rows[1]!.location });
  });

  it('round-trips through JSON to the values the database holds', () => {
    const row = auditOne(card({ dc_id: oid(STRAY) }));
    const parsed = componentSuggestionSchema.parse(JSON.parse(JSON.stringify(row.suggestion)));
    if (parsed?.none !== false) throw new Error('expected fixes');
    expect(fromStored(parsed.fixes[0]!.before)).toEqual(oid(STRAY));
    expect(fromStored(parsed.location.dashboard_id)).toEqual(oid(ID.dashboard));
    expect(toStored(fromStored(parsed.fixes[0]!.after))).toEqual({ $oid: ID.metadata });
  });
});

import { describe, expect, it } from 'vitest';
import { isMultiqcGeneralStats } from '../../lib/schemas/component-columns';
import { ID, auditOne, auditRows, dashboardTab, oid, stored } from './audit-fixtures';

/** The audit checks what the platform reads (depictio v1.5's component models), one rule per test. */

const relAbundance = (extra: Record<string, unknown>) => stored('figure', ID.relAbundance, extra, 'taxonomy_rel_abundance');

describe('figures', () => {
  const codeFigure = {
    visu_type: 'bar',
    mode: 'code',
    // The columns are the code's: mean_rel_abundance is computed, not a column of the DC.
    code_content:
      "df_mean = df.group_by(['habitat', 'Phylum']).agg(pl.col('rel_abundance').mean().alias('mean_rel_abundance'))\nfig = px.bar(df_mean.to_pandas(), x='Phylum', y='mean_rel_abundance')",
    dict_kwargs: { color: 'Phylum', facet_row: 'habitat', x: 'Phylum', y: 'mean_rel_abundance', labels: { mean_rel_abundance: 'Mean' } },
    selection_enabled: false,
    selection_column: null,
  };

  it('in code mode is drawn from its code: dict_kwargs columns are not checked', () => {
    expect(auditOne(relAbundance(codeFigure))).toMatchObject({ status: 'valid', reasons: [], suggestion: null });
  });

  it('in UI mode (stated, or by default) is drawn from dict_kwargs: each column argument is checked', () => {
    const ui = auditOne(relAbundance({ ...codeFigure, mode: 'ui' }));
    expect(ui.status).toBe('warning');
    expect(ui.reasons).toEqual([`column "mean_rel_abundance" (dict_kwargs.y) is not a column of DC taxonomy_rel_abundance (${ID.relAbundance})`]);
    const { mode: _mode, ...noMode } = { ...codeFigure };
    expect(auditOne(relAbundance(noMode)).reasons).toEqual(ui.reasons);
  });

  it('checks the selection column only while selection is on', () => {
    const figure = relAbundance({ visu_type: 'scatter', mode: 'ui', dict_kwargs: { x: 'Phylum', y: 'rel_abundance' }, selection_column: 'sample_id' });
    expect(auditOne({ ...figure, selection_enabled: false }).status).toBe('valid');
    expect(auditOne({ ...figure, selection_enabled: true }).reasons).toEqual([
      `column "sample_id" (selection_column) is not a column of DC taxonomy_rel_abundance (${ID.relAbundance})`,
    ]);
  });
});

describe('text tiles', () => {
  const text = {
    index: 'section-overview',
    component_type: 'text',
    title: 'Within-Sample Diversity',
    order: 2,
    body: 'Shannon…',
    workflow_tag: '',
    data_collection_tag: '',
  };

  it('unbound: n/a, nothing to check', () => {
    expect(auditOne(text)).toMatchObject({ status: 'n/a', reasons: [], suggestion: null });
  });

  it('bound by a seeding step: one reason, not a second one for its empty snapshot tag or its wf_id', () => {
    const row = auditOne({ ...text, dc_id: oid(ID.metadata), wf_id: oid(ID.otherWorkflow), dc_config: { _id: oid(ID.iris), data_collection_tag: '' } });
    expect(row.status).toBe('warning');
    expect(row.reasons).toEqual([
      `a text component shows no data, yet is bound to dc_id ${ID.metadata} (a seeding step that forced every dc_id does this; it should be null)`,
    ]);
    expect(row.dc_tag).toBe('metadata');
  });
});

describe('snapshot tags', () => {
  it('the same old tag in data_collection_tag and in dc_config is one reason', () => {
    const both = stored('card', ID.metadata, { aggregation: 'count', column_name: 'sample' }, 'sample_metadata');
    expect(auditOne(both).reasons).toEqual([
      `snapshot tag "sample_metadata" disagrees with DC ${ID.metadata}, whose tag is "metadata" (in data_collection_tag and in dc_config)`,
    ]);
    const differ = { ...both, data_collection_tag: 'meta_v1' };
    expect(auditOne(differ).reasons).toEqual([
      `snapshot tag "meta_v1" disagrees with DC ${ID.metadata}, whose tag is "metadata"`,
      `dc_config tag "sample_metadata" disagrees with DC ${ID.metadata}, whose tag is "metadata"`,
    ]);
  });

  it('an empty tag is unset, not a disagreement', () => {
    const row = auditOne(
      stored('card', ID.metadata, {
        aggregation: 'count',
        column_name: 'sample',
        data_collection_tag: '',
        dc_config: { _id: oid(ID.metadata), data_collection_tag: '' },
      }),
    );
    expect(row).toMatchObject({ status: 'valid', reasons: [] });
  });
});

describe('orphan tabs', () => {
  it('say what breaks: the tab opens by URL, lists and the tab bar do not show it', () => {
    const missing = '6824cb3b89d2b721693097ff';
    const rows = auditRows([
      dashboardTab([stored('card', ID.metadata, { aggregation: 'count', column_name: 'sample' })], { parent_dashboard_id: oid(missing), is_main_tab: false }),
    ]);
    expect(rows[0]!.status).toBe('error');
    expect(rows[0]!.reasons).toEqual([
      `parent dashboard ${missing} of tab "Community Analysis" does not exist: the tab still opens by its URL, but no dashboard list shows it (lists show main tabs only) and its tab bar cannot load (the platform answers "Dashboard '${missing}' not found.")`,
    ]);
  });
});

describe('column-bearing fields of every component type', () => {
  it('table: columns, and the row selection column while row selection is on', () => {
    const table = stored('table', ID.metadata, { columns: ['sample', 'depth'], page_size: 10, row_selection_enabled: true, row_selection_column: 'sample_id' });
    expect(auditOne(table).reasons).toEqual([
      `column "depth" (columns) is not a column of DC metadata (${ID.metadata})`,
      `column "sample_id" (row_selection_column) is not a column of DC metadata (${ID.metadata})`,
    ]);
    expect(auditOne({ ...table, columns: [], row_selection_enabled: false }).status).toBe('valid');
  });

  it('card: the hero column and the secondary strip columns', () => {
    const card = stored('card', ID.metadata, {
      aggregation: 'nunique',
      column_name: 'habitat',
      column_type: 'object',
      secondary_layout: 'top_n',
      breakdown_col: 'biome',
      trend_col: 'date',
      attrition_cols: ['sample', 'passed'],
    });
    expect(auditOne(card).reasons.map((r) => r.split(' is not')[0])).toEqual([
      'column "biome" (breakdown_col)',
      'column "date" (trend_col)',
      'column "passed" (attrition_cols)',
    ]);
  });

  it('card and interactive: the columns their filter_expr names with col() and .over()', () => {
    const card = stored('card', ID.metadata, {
      aggregation: 'count',
      column_name: 'sample',
      filter_expr: `(col('habitat') == 'Soil') & (col("depth") > 3) & (col('sample').count().over('site') >= 2)`,
    });
    expect(auditOne(card).reasons.map((r) => r.split(' is not')[0])).toEqual(['column "depth" (filter_expr)', 'column "site" (filter_expr)']);
    expect(auditOne({ ...card, filter_expr: null }).status).toBe('valid');
  });

  it('interactive: column_name', () => {
    const filter = stored('interactive', ID.metadata, { interactive_component_type: 'MultiSelect', column_name: 'Habitat', column_type: 'object' });
    expect(auditOne(filter).reasons).toEqual([`column "Habitat" (column_name) is not a column of DC metadata (${ID.metadata})`]);
  });

  it('map: lat/lon/color/size/hover/text columns, the selection column, dict_kwargs columns', () => {
    const map = stored('map', ID.metadata, {
      map_type: 'scatter_map',
      lat_column: 'latitude',
      lon_column: 'lon',
      color_column: 'habitat',
      size_column: 'reads',
      hover_columns: ['sample', 'name', 'depth_m'],
      text_column: null,
      selection_enabled: true,
      selection_column: 'sample_id',
      dict_kwargs: { color_discrete_map: { Soil: '#FF7F00' }, hover_name: 'site' },
      geojson_dc_id: null,
    });
    expect(auditOne(map).reasons.map((r) => r.split(' is not')[0])).toEqual([
      'column "lon" (lon_column)',
      'column "reads" (size_column)',
      'column "depth_m" (hover_columns)',
      'column "sample_id" (selection_column)',
      'column "site" (dict_kwargs.hover_name)',
    ]);
  });

  it('map: the geojson DC must be a DC of the dashboard’s project; the locations column is checked', () => {
    const choropleth = (geojson: unknown) =>
      stored('map', ID.metadata, {
        map_type: 'choropleth_map',
        locations_column: 'region',
        color_column: 'habitat',
        featureidkey: 'properties.id',
        geojson_dc_id: geojson,
      });
    expect(auditOne(choropleth(oid(ID.geojson))).status).toBe('valid');
    const unknown = auditOne(choropleth('646b0f3c1e4a2d7f8e5b8cff'));
    expect(unknown.status).toBe('error');
    expect(unknown.reasons).toEqual(['geojson_dc_id 646b0f3c1e4a2d7f8e5b8cff matches no data collection: the platform cannot load what it names']);
    expect(auditOne(choropleth(oid(ID.iris))).reasons[0]).toContain('geojson_dc_id names DC iris_table');
    expect(auditOne({ ...choropleth(oid(ID.geojson)), locations_column: 'country' }).reasons[0]).toContain('column "country" (locations_column)');
  });

  it('image: image_column', () => {
    expect(auditOne(stored('image', ID.metadata, { image_column: 'image_path', thumbnail_size: 150 })).reasons[0]).toContain(
      'column "image_path" (image_column)',
    );
  });

  it('advanced_viz: every role column of the config, not its booleans or display options', () => {
    const volcano = stored(
      'advanced_viz',
      ID.ancombc,
      {
        viz_kind: 'volcano',
        config: {
          viz_kind: 'volcano',
          feature_id_col: 'id',
          effect_size_col: 'lfc',
          significance_col: 'p_val',
          label_col: 'Phylum',
          significance_threshold: 0.05,
        },
      },
      'ancombc_results',
    );
    expect(auditOne(volcano).reasons).toEqual([`column "p_val" (config.significance_col) is not a column of DC ancombc_results (${ID.ancombc})`]);
    const heatmap = stored(
      'advanced_viz',
      ID.ancombc,
      {
        viz_kind: 'complex_heatmap',
        config: {
          viz_kind: 'complex_heatmap',
          index_column: 'id',
          value_columns: ['lfc', 'W'],
          row_annotation_cols: ['Genus'],
          cluster_cols: true,
          matrix_dc_id: '646b0f3c1e4a2d7f8e5b8cff',
        },
      },
      'ancombc_results',
    );
    // matrix_dc_id is deprecated and unread; cluster_cols is a boolean.
    expect(auditOne(heatmap).reasons.map((r) => r.split(' is not')[0])).toEqual(['column "Genus" (config.row_annotation_cols)']);
  });

  it('advanced_viz: a live embedding reads no precomputed dimension columns', () => {
    const embedding = (compute: string | null) =>
      stored('advanced_viz', ID.metadata, {
        viz_kind: 'embedding',
        config: { viz_kind: 'embedding', sample_id_col: 'sample', dim_1_col: 'PC1', dim_2_col: 'PC2', compute_method: compute },
      });
    expect(auditOne(embedding(null)).reasons).toHaveLength(2);
    expect(auditOne(embedding('pca')).status).toBe('valid');
  });

  it("advanced_viz: a phylogeny's tree and metadata DCs are DC references, its tip columns the metadata DC's", () => {
    const phylo = (config: Record<string, unknown>) =>
      stored(
        'advanced_viz',
        ID.tree,
        {
          viz_kind: 'phylogenetic',
          config: { viz_kind: 'phylogenetic', tree_wf_id: ID.workflow, tree_dc_id: ID.tree, ...config },
          dc_config: { _id: oid(ID.tree), type: 'phylogeny', data_collection_tag: 'phylogeny' },
        },
        'phylogeny',
      );
    expect(auditOne(phylo({ metadata_dc_id: ID.relAbundance, taxon_col: 'Phylum', color_col: 'habitat' })).status).toBe('valid');
    expect(auditOne(phylo({ metadata_dc_id: ID.relAbundance, taxon_col: 'taxon' })).reasons).toEqual([
      `column "taxon" (config.taxon_col) is not a column of DC taxonomy_rel_abundance (${ID.relAbundance})`,
    ]);
    // Without a metadata DC the tree shows no tip metadata: its default taxon_col is not read.
    expect(auditOne(phylo({ taxon_col: 'taxon' })).status).toBe('valid');
    expect(auditOne(phylo({ tree_dc_id: '646b0f3c1e4a2d7f8e5b8cff' })).reasons).toEqual([
      'config.tree_dc_id 646b0f3c1e4a2d7f8e5b8cff matches no data collection: the platform cannot load what it names',
    ]);
  });

  it('multiqc and jbrowse name no columns; general_stats is a view the platform builds, not a report module', () => {
    const multiqc = stored('multiqc', ID.metadata, { selected_module: 'general_stats', selected_plot: 'general_stats' });
    expect(auditOne(multiqc).status).toBe('valid');
    expect(isMultiqcGeneralStats(multiqc)).toBe(true);
    expect(isMultiqcGeneralStats({ selected_module: 'fastqc', selected_plot: 'per_base_sequence_quality' })).toBe(false);
    expect(auditOne(stored('jbrowse', ID.metadata)).status).toBe('valid');
  });
});

describe('component types the platform does not know', () => {
  it('are an error that says what the viewer shows, without checks that would not apply', () => {
    const row = auditOne(stored('sankey_chart', ID.metadata, { column_name: 'nope' }));
    expect(row.status).toBe('error');
    expect(row.reasons).toHaveLength(1);
    expect(row.reasons[0]).toMatch(/^component type "sankey_chart" is not one the platform renders \(it renders card, figure, .*advanced_viz\)/);
    expect(row.reasons[0]).toContain(`the tile shows 'Component type "sankey_chart" not yet ported.'`);
    expect(row.suggestion).toEqual({ none: true, looked_at: ['component_type: nothing says which known type it should be'] });
    const { component_type: _type, ...untyped } = stored('card', ID.metadata);
    expect(auditOne(untyped).reasons[0]).toMatch(/^component_type is missing/);
  });
});

describe('reasons', () => {
  it('are given once, even when the component names the same missing column twice in one field', () => {
    const map = stored('map', ID.metadata, { map_type: 'scatter_map', lat_column: 'latitude', lon_column: 'longitude', hover_columns: ['depth', 'depth'] });
    expect(auditOne(map).reasons).toEqual([`column "depth" (hover_columns) is not a column of DC metadata (${ID.metadata})`]);
  });
});

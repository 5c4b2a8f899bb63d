/**
 * The fields of a dashboard component that the platform reads as column names or as data
 * collection ids, per component type, as depictio's component models define them at v1.5
 * (`depictio/models/components/*.py` and `advanced_viz/configs.py`) and as its viewer reads them.
 */

/** The Plotly Express arguments whose values name columns of the component's data collection. */
export const COLUMN_KWARGS = [
  'x',
  'y',
  'z',
  'color',
  'size',
  'symbol',
  'text',
  'facet_row',
  'facet_col',
  'hover_name',
  'hover_data',
  'custom_data',
  'line_group',
  'names',
  'values',
  'path',
  'dimensions',
] as const;

/** The component types the platform's viewer renders (ComponentRenderer); any other shows "not yet ported". */
export const KNOWN_COMPONENT_TYPES = ['card', 'figure', 'interactive', 'table', 'text', 'image', 'map', 'jbrowse', 'multiqc', 'advanced_viz'] as const;
const KNOWN_TYPES: ReadonlySet<string> = new Set(KNOWN_COMPONENT_TYPES);
export const isKnownComponentType = (type: string): boolean => KNOWN_TYPES.has(type);

export interface ColumnUse {
  /** Where the component names it, as a path: `column_name`, `dict_kwargs.x`, `config.lfc_col`… */
  field: string;
  column: string;
  /** The field holding the id of the DC the column belongs to, when it is not the component's `dc_id`. */
  dcField?: string;
}

export interface DcReference {
  /** The path of the field, e.g. `geojson_dc_id`, `config.tree_dc_id`. */
  field: string;
  value: unknown;
}

type Loose = Record<string, unknown>;
const asObject = (value: unknown): Loose | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : null);

const COLUMN_KWARG_SET: ReadonlySet<string> = new Set(COLUMN_KWARGS);

/** Pushes a column named by a string field, or every string of a list field; empty and absent values name nothing. */
function add(uses: ColumnUse[], field: string, value: unknown, dcField?: string): void {
  // No closure here: this runs for every column-bearing field of every component.
  if (typeof value === 'string') {
    if (value) uses.push(dcField ? { field, column: value, dcField } : { field, column: value });
  } else if (Array.isArray(value)) {
    for (const column of value) if (typeof column === 'string' && column) uses.push(dcField ? { field, column, dcField } : { field, column });
  }
}

/** `col('name')` and `.over('group')` in a Polars filter expression (depictio's filter_expr.py allows only these to name columns). */
const FILTER_EXPR_COLUMN = /\b(?:col|over)\(\s*(['"])((?:(?!\1).)+)\1\s*\)/g;

function addFilterExpr(uses: ColumnUse[], expr: unknown): void {
  if (typeof expr !== 'string' || expr === '') return;
  for (const match of expr.matchAll(FILTER_EXPR_COLUMN)) add(uses, 'filter_expr', match[2]);
}

function addKwargs(uses: ColumnUse[], kwargs: unknown): void {
  const args = asObject(kwargs);
  if (!args) return;
  // Over the arguments present (a handful), not over every argument that could name a column.
  for (const [arg, value] of Object.entries(args)) if (COLUMN_KWARG_SET.has(arg)) add(uses, `dict_kwargs.${arg}`, value);
}

/** A figure is drawn from `dict_kwargs` only in UI mode (the default); in code mode its code builds it, columns and all. */
export const isCodeFigure = (c: Loose): boolean => c.component_type === 'figure' && c.mode === 'code';

/** Map columns (MapLiteComponent): the selection column only counts while selection is on. */
const MAP_COLUMN_FIELDS = ['lat_column', 'lon_column', 'color_column', 'size_column', 'hover_columns', 'text_column', 'z_column', 'locations_column'] as const;
/** Card columns (CardLiteComponent, CardComponent): the hero column and the secondary strip's. */
const CARD_COLUMN_FIELDS = ['column_name', 'breakdown_col', 'trend_col', 'attrition_cols', 'trend_column'] as const;
/** advanced_viz config fields that name columns without the `_col`/`_cols` suffix. */
const VIZ_EXTRA_COLUMN_FIELDS: ReadonlySet<string> = new Set([
  'index_column',
  'value_columns',
  'set_columns',
  'metric_options',
  'color_by_columns',
  'available_step_cols',
]);
/** Phylogenetic trees: these name columns of the metadata DC (`config.metadata_dc_id`), not of the tree. */
const PHYLO_METADATA_FIELDS: ReadonlySet<string> = new Set(['taxon_col', 'color_col', 'label_col', 'extra_color_cols']);
/** Embeddings computed live ignore the precomputed dimension columns. */
const EMBEDDING_DIM_FIELDS: ReadonlySet<string> = new Set(['dim_1_col', 'dim_2_col', 'dim_3_col']);

function vizColumns(uses: ColumnUse[], configRaw: unknown): void {
  const config = asObject(configRaw);
  if (!config) return;
  const kind = config.viz_kind;
  const live = kind === 'embedding' && typeof config.compute_method === 'string' && config.compute_method !== '';
  for (const [key, value] of Object.entries(config)) {
    // `cluster_cols` (heatmap) is a boolean, not columns: `add` takes strings and lists of strings only.
    const names = key.endsWith('_col') || key.endsWith('_cols') || VIZ_EXTRA_COLUMN_FIELDS.has(key);
    if (!names || (live && EMBEDDING_DIM_FIELDS.has(key))) continue;
    if (kind === 'phylogenetic' && PHYLO_METADATA_FIELDS.has(key)) {
      // Without a metadata DC, the tree shows no tip metadata and reads none of these.
      if (config.metadata_dc_id !== null && config.metadata_dc_id !== undefined) add(uses, `config.${key}`, value, 'config.metadata_dc_id');
      continue;
    }
    add(uses, `config.${key}`, value);
  }
}

/** Every column a dashboard component reads, with the field that names it, in the order the component names them. */
export function componentColumns(component: object): ColumnUse[] {
  const c = component as Loose;
  const uses: ColumnUse[] = [];
  switch (c.component_type) {
    case 'figure':
      if (isCodeFigure(c)) break;
      addKwargs(uses, c.dict_kwargs);
      if (c.selection_enabled === true) add(uses, 'selection_column', c.selection_column);
      break;
    case 'card':
      for (const field of CARD_COLUMN_FIELDS) add(uses, field, c[field]);
      addFilterExpr(uses, c.filter_expr);
      break;
    case 'interactive':
      add(uses, 'column_name', c.column_name);
      addFilterExpr(uses, c.filter_expr);
      break;
    case 'table':
      add(uses, 'columns', c.columns);
      if (c.row_selection_enabled === true) add(uses, 'row_selection_column', c.row_selection_column);
      break;
    case 'map':
      for (const field of MAP_COLUMN_FIELDS) add(uses, field, c[field]);
      if (c.selection_enabled === true) add(uses, 'selection_column', c.selection_column);
      addKwargs(uses, c.dict_kwargs);
      break;
    case 'image':
      add(uses, 'image_column', c.image_column);
      break;
    case 'advanced_viz':
      vizColumns(uses, c.config);
      break;
    default:
      // text, multiqc and jbrowse name no columns; unknown types are reported as such, not read.
      break;
  }
  return uses;
}

const NO_REFERENCES: readonly DcReference[] = Object.freeze([]);

function pushReference(refs: DcReference[], field: string, value: unknown): void {
  if (value !== null && value !== undefined && value !== '') refs.push({ field, value });
}

/** The data collection ids a component names besides its own `dc_id`, as the platform reads them. */
export function componentDcReferences(component: object): readonly DcReference[] {
  const c = component as Loose;
  if (c.component_type === 'map') {
    if (c.geojson_dc_id === null || c.geojson_dc_id === undefined || c.geojson_dc_id === '') return NO_REFERENCES;
    return [{ field: 'geojson_dc_id', value: c.geojson_dc_id }];
  }
  const config = c.component_type === 'advanced_viz' ? asObject(c.config) : null;
  // `matrix_dc_id` (heatmap, upset) is deprecated and unread: the renderer loads the component's dc_id.
  if (config?.viz_kind !== 'phylogenetic') return NO_REFERENCES;
  const refs: DcReference[] = [];
  pushReference(refs, 'config.tree_dc_id', config.tree_dc_id);
  pushReference(refs, 'config.metadata_dc_id', config.metadata_dc_id);
  return refs;
}

/**
 * A MultiQC component showing the General Statistics table: not a module of the report but a view
 * the platform builds itself (depictio's celery_app.py: `module == "general_stats" or plot ==
 * "general_stats" or is_general_stats`), so it is never looked up among the report's modules.
 */
export function isMultiqcGeneralStats(component: object): boolean {
  const c = component as Loose;
  return c.selected_module === 'general_stats' || c.selected_plot === 'general_stats' || c.is_general_stats === true;
}

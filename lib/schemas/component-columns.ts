/** The figure arguments whose values name columns of the component's data collection. */
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

export interface ColumnUse {
  /** Where the component names it: `column_name` or `dict_kwargs.<arg>`. */
  field: string;
  column: string;
}

interface ComponentLike {
  column_name?: unknown;
  dict_kwargs?: unknown;
}

const COLUMN_KWARG_SET: ReadonlySet<string> = new Set(COLUMN_KWARGS);

/** Every column a dashboard component reads, with the field that names it, in the order the component names them. */
export function componentColumns(component: ComponentLike): ColumnUse[] {
  const uses: ColumnUse[] = [];
  if (typeof component.column_name === 'string' && component.column_name) {
    uses.push({ field: 'column_name', column: component.column_name });
  }
  const kwargs = component.dict_kwargs;
  if (kwargs && typeof kwargs === 'object') {
    // Over the arguments present (a handful), not over every argument that could name a column.
    for (const [arg, value] of Object.entries(kwargs)) {
      if (!COLUMN_KWARG_SET.has(arg)) continue;
      if (typeof value === 'string') {
        if (value) uses.push({ field: `dict_kwargs.${arg}`, column: value });
      } else if (Array.isArray(value)) {
        for (const column of value) if (typeof column === 'string' && column) uses.push({ field: `dict_kwargs.${arg}`, column });
      }
    }
  }
  return uses;
}

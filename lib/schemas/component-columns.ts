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

/** Every column a dashboard component reads, with the field that names it. */
export function componentColumns(component: ComponentLike): ColumnUse[] {
  const uses: ColumnUse[] = [];
  if (typeof component.column_name === 'string' && component.column_name) {
    uses.push({ field: 'column_name', column: component.column_name });
  }
  const kwargs = component.dict_kwargs;
  if (kwargs && typeof kwargs === 'object') {
    for (const arg of COLUMN_KWARGS) {
      const value = (kwargs as Record<string, unknown>)[arg];
      const columns = Array.isArray(value) ? value : [value];
      for (const column of columns) {
        if (typeof column === 'string' && column) uses.push({ field: `dict_kwargs.${arg}`, column });
      }
    }
  }
  return uses;
}

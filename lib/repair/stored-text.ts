import type { StoredValue } from '../audit/types';

/**
 * A stored value as the diff shows it, its type visible: `ObjectId(…)`, a quoted string, null.
 * Apart from stored-value.ts so that the browser can use it without the driver.
 */
export function storedText(value: StoredValue): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `ObjectId(${value.$oid})`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

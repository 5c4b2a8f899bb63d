import { ObjectId } from 'mongodb';
import type { StoredValue } from '../audit/types';
import { OBJECT_ID_HEX } from '../schemas/object-id-hex';

/** The stored forms an id may have, for a query: as given, lowercase hex, an ObjectId. */
export function idForms(id: string): unknown[] {
  return OBJECT_ID_HEX.test(id) ? [...new Set([id, id.toLowerCase()]), new ObjectId(id)] : [id];
}

/** Whether two stored values are the same value of the same type. */
export function sameStored(a: StoredValue, b: StoredValue): boolean {
  if (a !== null && typeof a === 'object') return b !== null && typeof b === 'object' && a.$oid.toLowerCase() === b.$oid.toLowerCase();
  return a === b;
}

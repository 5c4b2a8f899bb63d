import { ObjectId } from 'mongodb';
import type { StoredValue } from './types';

/** A stored value in its JSON-safe form (ObjectIds as `{ $oid }`); a missing value is null; other objects as JSON text. */
export function toStored(value: unknown): StoredValue {
  if (value instanceof ObjectId) return { $oid: value.toHexString() };
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value) ?? String(value);
}

/** The value to match or write in the database: `{ $oid }` back to an ObjectId, anything else as is. */
export function fromStored(value: StoredValue): ObjectId | string | number | boolean | null {
  return value !== null && typeof value === 'object' ? new ObjectId(value.$oid) : value;
}

/**
 * `hex` written where `before` was, in its form: an ObjectId stays an ObjectId, text stays text (a
 * fix must not change how the platform reads the field); where nothing was, an ObjectId, as the
 * platform stores ids.
 */
export function inFormOf(before: StoredValue, hex: string): StoredValue {
  return typeof before === 'string' ? hex.toLowerCase() : { $oid: hex.toLowerCase() };
}

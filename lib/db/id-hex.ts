import { ObjectId } from 'mongodb';
import { OBJECT_ID_HEX } from '../schemas/object-id-hex';

/** An id stored as an ObjectId or as a 24-hex string, as lowercase hex; anything else is null. */
export function idHex(value: unknown): string | null {
  if (value instanceof ObjectId) return value.toHexString();
  if (typeof value === 'string' && OBJECT_ID_HEX.test(value)) return value.toLowerCase();
  return null;
}

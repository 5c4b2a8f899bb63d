import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';

/**
 * A stable ObjectId for a document its source gives no id for (a seed registration, a DC without
 * `id`), so that writing it twice writes the same document.
 */
export function derivedObjectId(kind: string, of: ObjectId | string): ObjectId {
  const key = typeof of === 'string' ? of : of.toHexString();
  const digest = createHash('sha256').update(`${kind}:${key}`).digest();
  return new ObjectId(digest.subarray(0, 12));
}

/**
 * The same, with `at` as the id's time (its first four bytes), so that ids derived for successive
 * windows sort with their neighbours; the rest comes from the key's digest.
 */
export function derivedTimedObjectId(key: string, at: Date): ObjectId {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.floor(at.getTime() / 1000), 0);
  createHash('sha256').update(key).digest().copy(bytes, 4, 0, 8);
  return new ObjectId(bytes);
}

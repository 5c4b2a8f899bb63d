import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';

/**
 * A stable ObjectId for a document the seeds give no id for (registrations, or a DC without `id`),
 * so that seeding twice writes the same documents.
 */
export function derivedObjectId(kind: string, of: ObjectId | string): ObjectId {
  const key = typeof of === 'string' ? of : of.toHexString();
  const digest = createHash('sha256').update(`${kind}:${key}`).digest();
  return new ObjectId(digest.subarray(0, 12));
}

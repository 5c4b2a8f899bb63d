import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';

/**
 * A stable ObjectId for a document the seed facts give no id for (registrations), so that seeding
 * twice writes the same documents.
 */
export function derivedObjectId(kind: string, of: ObjectId): ObjectId {
  const digest = createHash('sha256').update(`${kind}:${of.toHexString()}`).digest();
  return new ObjectId(digest.subarray(0, 12));
}

/** The server's duplicate-key failures (E11000), read from a single command's error or a bulk write's. */
type RawWriteError = { code?: unknown; index?: unknown; keyPattern?: unknown; keyValue?: unknown; errmsg?: unknown };

/** One duplicate-key failure: the op's index in its batch, and the unique key it collided on. */
export interface DuplicateKey {
  index: number;
  keyPattern: Record<string, unknown> | null;
  keyValue: Record<string, unknown> | null;
  message: string;
}

function rawWriteErrors(error: object): RawWriteError[] {
  const e = error as { code?: unknown; writeErrors?: unknown };
  // MongoDB 8.0's cross-collection bulkWrite: a map from the operation's index to {code, message}.
  if (e.writeErrors instanceof Map) {
    return [...(e.writeErrors as Map<number, { code?: unknown; message?: unknown }>)].map(([index, w]) => ({ code: w.code, index, errmsg: w.message }));
  }
  if (Array.isArray(e.writeErrors)) {
    // The driver wraps each write error; its `err` is what the server sent.
    return e.writeErrors.map((w: { err?: RawWriteError } & RawWriteError) => w.err ?? w);
  }
  return [error as RawWriteError];
}

/** Every duplicate-key failure the error carries (a single command's error, or a bulk write's). */
export function duplicateKeys(error: unknown): DuplicateKey[] {
  if (typeof error !== 'object' || error === null) return [];
  return rawWriteErrors(error)
    .filter((w) => w.code === 11000)
    .map((w) => ({
      index: typeof w.index === 'number' ? w.index : 0,
      keyPattern: isRecord(w.keyPattern) ? w.keyPattern : null,
      keyValue: isRecord(w.keyValue) ? w.keyValue : null,
      message: typeof w.errmsg === 'string' ? w.errmsg : String((error as Error).message ?? ''),
    }));
}

export function isDuplicateKey(error: unknown): boolean {
  return duplicateKeys(error).length > 0;
}

/**
 * A collision on `_id` itself, as opposed to another unique key. Real servers name the key in
 * `keyPattern`; without it, the index name in the message (`index: _id_`) says the same.
 */
export function isOnId(duplicate: DuplicateKey): boolean {
  if (duplicate.keyPattern) return Object.keys(duplicate.keyPattern).length === 1 && '_id' in duplicate.keyPattern;
  return /index: _id_ /.test(duplicate.message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

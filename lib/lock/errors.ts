/** The holder no longer holds the lease: it must stop at once and write nothing more. */
export class LeaseLostError extends Error {
  constructor(
    readonly fence: number,
    reason: string,
  ) {
    super(`lease lost (fence ${fence}): ${reason}`);
    this.name = 'LeaseLostError';
  }
}

export function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; writeErrors?: Array<{ code?: unknown }> };
  return e.code === 11000 || (Array.isArray(e.writeErrors) && e.writeErrors.some((w) => w.code === 11000));
}

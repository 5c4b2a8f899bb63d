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

// No imports: the browser's drill and lock views share this rule with the server's queries, and
// must not pull the driver into their bundle.

/**
 * The one rule for "is this lease live", for the init lock and the drill lease: a holder, and
 * `now` (the database's clock) before the expiry. At its `lease_expires_at` millisecond a lease has
 * expired: a lease of `leaseMs` granted at `t` is live for exactly [t, t + leaseMs).
 */
export function leaseIsLive(lock: { holder?: unknown; lease_expires_at?: Date | null } | null | undefined, now: Date): boolean {
  return Boolean(lock?.holder && lock.lease_expires_at && lock.lease_expires_at.getTime() > now.getTime());
}

/**
 * The same rule as query operators on `lease_expires_at`, for the writes that must agree with
 * leaseIsLive at the boundary: a takeover (or a force-release without the typed id) matches an
 * expired lease, a renewal only a live one. BSON dates and JS dates are both milliseconds, so the
 * exact expiry millisecond is a case the database and leaseIsLive meet.
 */
export const leaseExpiredBy = (now: Date) => ({ $lte: now });
export const leaseLiveAt = (now: Date) => ({ $gt: now });

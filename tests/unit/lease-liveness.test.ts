import { describe, expect, it } from 'vitest';
import { drillLeaseIsLive, type DrillLeaseDoc } from '../../lib/drill/lease';
import { leaseExpiredBy, leaseIsLive, leaseLiveAt } from '../../lib/lock/liveness';

const expiry = new Date('2026-12-02T10:00:00.000Z');
const at = (deltaMs: number) => new Date(expiry.getTime() + deltaMs);
const holder = { worker_id: 'w1', host: 'h', pid: 1, version: 'v', run_id: 'r', generation: 'g' };

describe('one lease-liveness rule: live while now < lease_expires_at', () => {
  it('the init lock: live a millisecond before its expiry, expired at it and after', () => {
    const lock = { holder, lease_expires_at: expiry };
    expect([-1, 0, 1].map((d) => leaseIsLive(lock, at(d)))).toEqual([true, false, false]);
    expect(leaseIsLive({ holder: null, lease_expires_at: at(60_000) }, expiry)).toBe(false);
    expect(leaseIsLive({ holder }, expiry)).toBe(false);
    expect(leaseIsLive(null, expiry)).toBe(false);
  });

  it('the drill lease follows the same rule, for its own job only', () => {
    const lease: DrillLeaseDoc = {
      _id: 'drill_lease',
      holder: { job_id: 'job-1', instance: 'h:1:a', host: 'h', pid: 1, started_by: 'admin' },
      acquired_at: at(-60_000),
      renewed_at: at(-60_000),
      lease_expires_at: expiry,
      released_at: null,
      renewals: 0,
    };
    expect([-1, 0, 1].map((d) => drillLeaseIsLive(lease, 'job-1', at(d)))).toEqual([true, false, false]);
    expect(drillLeaseIsLive(lease, 'job-2', at(-1))).toBe(false);
    expect(drillLeaseIsLive({ ...lease, lease_expires_at: null }, 'job-1', at(-1))).toBe(false);
  });

  it('the query operators say the same: expired is $lte now (never $lt), live is $gt now', () => {
    expect(leaseExpiredBy(expiry)).toEqual({ $lte: expiry });
    expect(leaseLiveAt(expiry)).toEqual({ $gt: expiry });
  });
});

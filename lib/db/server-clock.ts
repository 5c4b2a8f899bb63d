import type { Db } from 'mongodb';
import { rememberHello } from './topology';

/**
 * Lease times are compared against the database server's clock, never a worker's own, so clock skew
 * between hosts cannot shorten or stretch a lease. The server's time comes from `hello.localTime`,
 * corrected by half the round trip.
 */
export class ServerClock {
  private offsetMs = 0;
  private syncedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly db: Db) {}

  async sync(): Promise<Date> {
    const sentAt = Date.now();
    const reply = await this.db.admin().command({ hello: 1 });
    rememberHello(this.db, reply);
    const receivedAt = Date.now();
    const serverTime = reply.localTime instanceof Date ? reply.localTime.getTime() : undefined;
    if (serverTime !== undefined) {
      this.offsetMs = serverTime + (receivedAt - sentAt) / 2 - receivedAt;
      this.syncedAt = receivedAt;
    }
    return this.now();
  }

  /** The server's time, asking the server again only when the last answer is older than `maxAgeMs`. */
  async fresh(maxAgeMs = 1000): Promise<Date> {
    return Date.now() - this.syncedAt > maxAgeMs ? this.sync() : this.now();
  }

  /** The server's time as estimated from the last sync. */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

import type { ClientSession, ReadConcernLike, WriteConcernSettings } from 'mongodb';

/**
 * The durability every lock, state and seed write asks for: acknowledged by a majority of the
 * replica set and journaled, so a failover cannot roll back a grant or a fence that others already
 * acted on. The server-side wait is bounded; the client-side socket timeout bounds the rest.
 */
export const MAJORITY_WRITE: WriteConcernSettings = { w: 'majority', journal: true, wtimeoutMS: 10_000 };

/** Polls and lease checks read only what a majority has committed: data no failover can undo. */
export const MAJORITY_READ: ReadConcernLike = { level: 'majority' };

/**
 * Options for one durable write. Inside a transaction the write concern belongs to the commit, and
 * the driver refuses one on a statement: the session carries it instead.
 */
export function durable(session?: ClientSession): { session: ClientSession } | { writeConcern: WriteConcernSettings } {
  return session ? { session } : { writeConcern: MAJORITY_WRITE };
}

/** Options for a read that decides something (a poll, a lease check). */
export function committed(session?: ClientSession): { session: ClientSession } | { readConcern: ReadConcernLike } {
  return session ? { session } : { readConcern: MAJORITY_READ };
}

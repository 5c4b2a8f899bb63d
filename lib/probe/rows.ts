import type { RowDef } from './context';
import {
  acquireCompletedGeneration,
  acquireInsert,
  acquireLiveCollides,
  acquireRace,
  acquireTakeover,
  fenceAfterDelete,
  renewReleaseFenced,
} from './rows-lock';
import { seedFencedUpsert, seedUniqueCollision, statePushSlice, uniqueIndexes, wipeFencedDelete } from './rows-seed';
import { clientTimeout, readConcernMajority, readPrimary, serverClock, topologyRow, writeConcernMajority } from './rows-server';
import { bulkWriteCommand, retryableWrites, txnRollback, txnTakeoverExcluded } from './rows-transactions';

/** Every behaviour the product relies on, in the order the probe checks them (docs/mongodb-behaviour.md lists the same ids). */
export const PROBE_ROWS: readonly RowDef[] = [
  topologyRow,
  serverClock,
  readPrimary,
  writeConcernMajority,
  readConcernMajority,
  clientTimeout,
  acquireInsert,
  acquireTakeover,
  acquireLiveCollides,
  acquireCompletedGeneration,
  acquireRace,
  fenceAfterDelete,
  renewReleaseFenced,
  seedFencedUpsert,
  seedUniqueCollision,
  wipeFencedDelete,
  statePushSlice,
  uniqueIndexes,
  txnRollback,
  txnTakeoverExcluded,
  retryableWrites,
  bulkWriteCommand,
];

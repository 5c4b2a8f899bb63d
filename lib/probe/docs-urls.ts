/** The MongoDB documentation pages each row rests on (cited again in docs/mongodb-behaviour.md). */
const MANUAL = 'https://www.mongodb.com/docs/manual';

export const DOC = {
  hello: `${MANUAL}/reference/command/hello/`,
  readPreference: `${MANUAL}/core/read-preference/`,
  writeConcern: `${MANUAL}/reference/write-concern/`,
  readConcernMajority: `${MANUAL}/reference/read-concern-majority/`,
  maxTimeMS: `${MANUAL}/reference/method/cursor.maxTimeMS/`,
  findAndModify: `${MANUAL}/reference/command/findAndModify/`,
  upsertDuplicates: `${MANUAL}/reference/method/db.collection.updateOne/#upsert-with-duplicate-values`,
  uniqueIndex: `${MANUAL}/core/index-unique/`,
  max: `${MANUAL}/reference/operator/update/max/`,
  bulkWrite: `${MANUAL}/reference/method/db.collection.bulkWrite/`,
  bulkWriteCommand: `${MANUAL}/reference/command/bulkWrite/`,
  deleteMany: `${MANUAL}/reference/method/db.collection.deleteMany/`,
  slice: `${MANUAL}/reference/operator/update/slice/`,
  createIndexes: `${MANUAL}/reference/command/createIndexes/`,
  transactions: `${MANUAL}/core/transactions/`,
  writeConflicts: `${MANUAL}/core/transactions-production-consider/#in-progress-transactions-and-write-conflicts`,
  retryableWrites: `${MANUAL}/core/retryable-writes/`,
} as const;

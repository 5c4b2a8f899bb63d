import type { TestProject } from 'vitest/node';
import { startEmbeddedDb, type EmbeddedDb } from '../../lib/db/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

let embedded: EmbeddedDb | undefined;

/** One database server for the whole run: MONGODB_URI when given, else an embedded one. */
export async function setup(project: TestProject) {
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    embedded = await startEmbeddedDb();
    uri = embedded.uri;
    console.log(`tests: embedded database (${embedded.kind}) at ${uri}`);
  }
  project.provide('mongoUri', uri);
}

export async function teardown() {
  await embedded?.stop();
}

import { startEmbeddedDb, type EmbeddedDb } from '../lib/db/embedded';
import { redactUri } from '../lib/db/redact-uri';
import type { Config } from '../lib/env';

/**
 * The database a command uses: MONGODB_URI when set (nothing embedded is ever started then),
 * otherwise an embedded one, announced on stderr, for the life of the command.
 */
export async function withDatabase<T>(cfg: Config, run: (uri: string) => Promise<T>): Promise<T> {
  if (cfg.MONGODB_URI) return run(cfg.MONGODB_URI);
  const db: EmbeddedDb = await startEmbeddedDb();
  console.error(`No MONGODB_URI: started the embedded database (${db.kind}) at ${redactUri(db.uri)}; its data is gone when this command ends.`);
  try {
    return await run(db.uri);
  } finally {
    await db.stop();
  }
}

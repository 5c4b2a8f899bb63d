/**
 * npm run db -- [--port N]
 *
 * Starts the embedded database in the foreground and prints `MONGODB_URI=mongodb://127.0.0.1:<port>`
 * once it accepts connections. Ctrl-C stops it. With MONGODB_URI set, nothing is started.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedDb } from '../lib/db/embedded';
import { redactUri } from '../lib/db/redact-uri';
import { parseConfig } from '../lib/env';
import { parseWholeNumberArg } from '../lib/whole-number';
import { fail } from './fail';

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { port: { type: 'string' } } });
  const cfg = parseConfig();
  if (cfg.MONGODB_URI) {
    console.error(`MONGODB_URI is set (${redactUri(cfg.MONGODB_URI)}): nothing embedded is started.`);
    process.exit(1);
  }
  const port = args.port === undefined ? undefined : parseWholeNumberArg('--port', args.port, 0, 65535, 'a port number');
  const db = await startEmbeddedDb({ port });
  console.log(`MONGODB_URI=${db.uri}`);
  console.error(`embedded database (${db.kind}) running; Ctrl-C stops it and its data is gone.`);
  const stop = () => void db.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => fail(error, 'usage: npm run db -- [--port N]'));

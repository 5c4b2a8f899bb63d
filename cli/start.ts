/**
 * npm start
 *
 * Runs the console from a production build (building it first when there is none) on PORT.
 * With no MONGODB_URI it starts the embedded database itself and says so. Without SESSION_SECRET
 * (at least 32 bytes) or ADMIN_PASSWORD it refuses to start, naming what is missing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedDb, type EmbeddedDb } from '../lib/db/embedded';
import { redactUri } from '../lib/db/redact-uri';
import { assertConsoleConfig, childEnvironment, parseConfig, projectRoot } from '../lib/env';
import { fail } from './fail';

const PROJECT_ROOT = projectRoot();
const NEXT_BIN = path.join(PROJECT_ROOT, 'node_modules/next/dist/bin/next');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NEXT_BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function main(): Promise<number> {
  const env = childEnvironment({ NODE_ENV: 'production' });
  // Checked before anything starts: in production a session secret and the admin's password are required.
  const cfg = assertConsoleConfig(parseConfig(env));
  let embedded: EmbeddedDb | undefined;
  if (!cfg.MONGODB_URI) {
    embedded = await startEmbeddedDb();
    env.MONGODB_URI = embedded.uri;
    console.log(
      `No MONGODB_URI: started the embedded database (${embedded.kind}) at ${redactUri(embedded.uri)}. Its data lives in memory and is gone when the console stops; set MONGODB_URI to use a real MongoDB.`,
    );
  }
  try {
    if (!existsSync(path.join(PROJECT_ROOT, '.next/BUILD_ID'))) {
      console.log('No production build yet: running `next build` first.');
      const code = await run(['build'], env);
      if (code !== 0) return code;
    }
    return await run(['start', '--port', String(cfg.PORT)], env);
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error),
);

import { DatabaseUnreachableError } from '../lib/db/client';
import { ConfigError } from '../lib/env';
import { SeedValidationError } from '../lib/seeds/errors';

/** Prints why the command could not run, without a stack for the errors users cause, and exits 2. */
export function fail(error: unknown, usage?: string): never {
  const known = error instanceof ConfigError || error instanceof SeedValidationError || error instanceof DatabaseUnreachableError;
  const argError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  if (known || argError) console.error((error as Error).message);
  else console.error(error);
  if (argError && usage) console.error(usage);
  process.exit(2);
}

/**
 * When started by `npm run workers`, report ready and wait for the common start signal, so that all
 * workers begin at the same moment and process start-up is measured apart.
 */
export async function waitForGo(): Promise<void> {
  if (process.env.INIT_BARRIER !== '1' || !process.send) return;
  const at = await new Promise<number>((resolve) => {
    process.on('message', (message: { type?: string; at?: number }) => {
      if (message?.type === 'go') resolve(message.at ?? Date.now());
    });
    process.send!({ type: 'ready' });
  });
  process.removeAllListeners('message');
  process.disconnect?.();
  // Every worker starts at the same instant of the host's clock, not when its message arrives.
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

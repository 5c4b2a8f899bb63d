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

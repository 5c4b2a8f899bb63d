import { ConfigError, assertConsoleConfig } from './env';

/**
 * A console server's first step: a configuration it may not start with (in production: no
 * SESSION_SECRET of at least 32 bytes, no ADMIN_PASSWORD, or any invalid variable) stops the
 * process with the reason, before it answers anyone.
 */
export function assertConsoleMayStart(): void {
  try {
    assertConsoleConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`The console cannot start. ${error.message}`);
    process.exit(1);
  }
}

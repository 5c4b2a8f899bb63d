/**
 * Runs once when a Next.js server process starts. First the configuration: a console that may not
 * start (in production without SESSION_SECRET or ADMIN_PASSWORD) exits here with the reason. Then,
 * like each API worker of the platform, the console process takes part in the initialization (take
 * the lease and seed, or wait, or skip), in the background so the console answers at once.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { assertConsoleMayStart } = await import('./lib/startup');
  assertConsoleMayStart();
  // Each request carries its socket's address from here on (lib/http/peer-address.ts).
  (await import('./lib/http/peer-address')).stampPeerAddresses();
  const { startBootInitialization } = await import('./lib/init/boot');
  startBootInitialization();
}

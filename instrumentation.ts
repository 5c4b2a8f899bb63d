/**
 * Runs once when a Next.js server process starts: like each API worker of the platform, every
 * console process takes part in the initialization (take the lease and seed, or wait, or skip).
 * It runs in the background so the console answers at once and shows the progress.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startBootInitialization } = await import('./lib/init/boot');
  startBootInitialization();
}

import { rename } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where the project lives: every command (npm run …, next start, the tests) runs from it. Not
 * derived from this file's URL, which inside the Next.js server build points into .next/.
 */
export const PROJECT_ROOT = path.resolve(/*turbopackIgnore: true*/ process.env.DEPICTIO_CONSOLE_ROOT ?? process.cwd());
export const WORKER_SCRIPT = path.join(PROJECT_ROOT, 'cli/worker.ts');
const BUNDLE = path.join(PROJECT_ROOT, 'node_modules/.cache/depictio-init/worker.mjs');

// The driver's optional native helpers: loaded lazily by the driver, absent here.
const OPTIONAL = ['kerberos', '@mongodb-js/zstd', '@aws-sdk/credential-providers', 'gcp-metadata', 'snappy', 'socks', 'aws4', 'mongodb-client-encryption'];

/**
 * The node arguments that run one worker. Workers start by the dozen, so the worker is bundled
 * once per launch with esbuild: a bundle starts in a third of the time tsx needs to compile the
 * sources. Falls back to tsx when bundling is not possible.
 */
export async function workerNodeArgs(): Promise<string[]> {
  try {
    const { build } = await import('esbuild');
    const temp = `${BUNDLE}.${process.pid}.tmp.mjs`;
    await build({
      entryPoints: [WORKER_SCRIPT],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: temp,
      external: OPTIONAL,
      logLevel: 'silent',
      // The driver is CommonJS: give the ESM bundle a require.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    await rename(temp, BUNDLE);
    return [BUNDLE];
  } catch {
    return ['--import', 'tsx', WORKER_SCRIPT];
  }
}

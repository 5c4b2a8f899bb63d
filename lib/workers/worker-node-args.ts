import { randomBytes } from 'node:crypto';
import { rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../env';

/** The processes `launchWorkers` starts: the product's worker, or the race drill's. */
export const WORKER_ENTRIES = { worker: 'cli/worker.ts', 'drill-worker': 'cli/drill-worker.ts' } as const;
export type WorkerEntry = keyof typeof WORKER_ENTRIES;

// The driver's optional native helpers: loaded lazily by the driver, absent here.
const OPTIONAL = ['kerberos', '@mongodb-js/zstd', '@aws-sdk/credential-providers', 'gcp-metadata', 'snappy', 'socks', 'aws4', 'mongodb-client-encryption'];

/** A bundle this process built, and the sources it was built from with their modification times. */
interface Bundle {
  outfile: string;
  inputs: Array<[file: string, mtimeMs: number]>;
}
const built = new Map<WorkerEntry, Bundle>();

/**
 * The node arguments that run one worker. Workers start by the dozen, so the entry is bundled
 * with esbuild: a bundle starts in a third of the time tsx needs to compile the sources. Built
 * again only when one of its sources changed since, because a drill launches workers round after
 * round. Falls back to tsx when bundling is not possible.
 */
export async function workerNodeArgs(entry: WorkerEntry): Promise<string[]> {
  const root = projectRoot();
  const script = path.join(root, WORKER_ENTRIES[entry]);
  try {
    const previous = built.get(entry);
    if (previous && (await unchanged(previous))) return [previous.outfile];
    const bundle = await build(root, script, entry);
    built.set(entry, bundle);
    return [bundle.outfile];
  } catch {
    return ['--import', 'tsx', script];
  }
}

async function unchanged(bundle: Bundle): Promise<boolean> {
  const times = await Promise.all(
    bundle.inputs.map(([file]) =>
      stat(file).then(
        (s) => s.mtimeMs,
        () => -1,
      ),
    ),
  );
  return times.every((time, i) => time === bundle.inputs[i]![1]);
}

async function build(root: string, script: string, entry: WorkerEntry): Promise<Bundle> {
  const esbuild = await import('esbuild');
  const outfile = path.join(root, `node_modules/.cache/depictio-init/${entry}.mjs`);
  // Unique per build: other processes, and other launches of this one, build the same entry.
  const temp = `${outfile}.${process.pid}.${randomBytes(3).toString('hex')}.tmp.mjs`;
  const result = await esbuild.build({
    entryPoints: [script],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: temp,
    external: OPTIONAL,
    logLevel: 'silent',
    metafile: true,
    // The driver is CommonJS: give the ESM bundle a require.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const files = Object.keys(result.metafile.inputs).map((input) => path.resolve(root, input));
  const inputs = await Promise.all(files.map(async (file): Promise<[string, number]> => [file, (await stat(file)).mtimeMs]));
  // Atomic: a worker starting meanwhile reads the old bundle or this one, and another process that
  // renames its own build over this one built it from the same sources or newer ones.
  await rename(temp, outfile);
  return { outfile, inputs };
}

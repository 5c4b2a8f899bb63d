import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { config, type Config } from '../env';
import { configuredSeeds } from '../init/prepare';

/** Each project the seeds ship, by project id (24 hex): its folder and that folder's digest now. */
export type SeedDigests = { readable: true; projects: Map<string, { folder: string; digest: string }> } | { readable: false };

type Cached = { key: string; digests: Promise<SeedDigests> };

/**
 * What changes when any seed file does: every file's size and mtime under the folder. A walk of
 * stats is cheap next to a load, which parses every file and hashes the seeded users' passwords.
 */
async function fingerprint(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (rel: string, depth: number) => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && depth < 12) await walk(child, depth + 1);
      } else {
        const info = await stat(path.join(dir, child)).catch(() => null);
        if (info) parts.push(`${child}\0${info.size}\0${info.mtimeMs}`);
      }
    }
  };
  await walk('', 0);
  return `${dir}\n${parts.sort().join('\n')}`;
}

async function load(cfg: Config): Promise<SeedDigests> {
  try {
    const seeds = await configuredSeeds(cfg);
    return { readable: true, projects: new Map(seeds.projects.map((p) => [p.project._id.toHexString(), { folder: p.folder, digest: p.digest }])) };
  } catch {
    // Invalid or unreadable seeds are the seeds check's to explain: the Projects page only says so.
    // Kept like a good load: seeds that fail stay failed until a file changes, and every poll would pay the load again.
    return { readable: false };
  }
}

/**
 * The seeds' per-project digests, loaded once per process for as long as no seed file changes.
 * On globalThis: the Projects page and its API route are separate bundles in one process.
 */
export async function currentSeedDigests(cfg: Config = config()): Promise<SeedDigests> {
  let key: string;
  try {
    key = await fingerprint(cfg.SEEDS_DIR);
  } catch {
    return { readable: false };
  }
  const holder = globalThis as typeof globalThis & { __depictioSeedDigests?: Cached };
  if (holder.__depictioSeedDigests?.key !== key) holder.__depictioSeedDigests = { key, digests: load(cfg) };
  return holder.__depictioSeedDigests.digests;
}

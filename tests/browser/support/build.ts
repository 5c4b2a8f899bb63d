import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../support/cli';

const SOURCES = [
  'app',
  'components',
  'lib',
  'public',
  'seeds',
  'instrumentation.ts',
  'proxy.ts',
  'next.config.js',
  'postcss.config.mjs',
  'tsconfig.json',
  'package-lock.json',
];
const STAMP = path.join(PROJECT_ROOT, '.next', 'test-build-stamp');

function* files(target: string): Generator<string> {
  if (!existsSync(target)) return;
  if (statSync(target).isDirectory()) {
    for (const entry of readdirSync(target).sort()) yield* files(path.join(target, entry));
  } else {
    yield target;
  }
}

/** A digest of everything the production build is made from. */
function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const source of SOURCES) {
    for (const file of files(path.join(PROJECT_ROOT, source))) hash.update(`${path.relative(PROJECT_ROOT, file)}\0`).update(readFileSync(file));
  }
  return hash.digest('hex');
}

/**
 * The browser tests run against the production build (`next build`, then `next start`). The build
 * is made again only when its sources changed since the last one the tests made.
 */
export function ensureProductionBuild(): void {
  const digest = sourceDigest();
  if (existsSync(path.join(PROJECT_ROOT, '.next', 'BUILD_ID')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest) return;
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
  writeFileSync(STAMP, digest);
}

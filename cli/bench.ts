/**
 * npm run bench -- [--json]
 *
 * Measures and prints every speed and memory figure the issues set targets for. With --json the
 * last line is one JSON object holding every figure.
 */
import { parseArgs } from 'node:util';
import { benchInit } from '../bench/init';
import { parseConfig } from '../lib/env';
import { fail } from './support';
import { withDatabase } from './with-database';

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  const cfg = parseConfig();
  const figures: Record<string, number> = {};
  const log = (line: string) => console.log(line);
  await withDatabase(cfg, async (uri) => {
    Object.assign(figures, await benchInit(uri, log));
  });
  if (args.json) console.log(JSON.stringify(figures));
}

main().catch((error) => fail(error));

/**
 * npm run bench -- [--json] [--only init,audit,drill,history,overview,dashboards]
 *
 * Measures and prints every speed and memory figure the issues set targets for. With --json the
 * last line is one JSON object holding every figure.
 */
import { parseArgs } from 'node:util';
import { benchAudit } from '../bench/audit';
import { benchDashboards } from '../bench/dashboards';
import { benchDrill } from '../bench/drill';
import { benchHistory } from '../bench/history';
import { benchInit } from '../bench/init';
import { benchOverview } from '../bench/overview';
import { parseConfig } from '../lib/env';
import { fail } from './fail';
import { withDatabase } from './with-database';

const SECTIONS = ['init', 'audit', 'drill', 'history', 'overview', 'dashboards'] as const;

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { json: { type: 'boolean', default: false }, only: { type: 'string', default: SECTIONS.join(',') } },
  });
  const only = new Set(args.only.split(','));
  for (const name of only) if (!SECTIONS.includes(name as never)) throw new Error(`--only takes ${SECTIONS.join(', ')} (got "${name}")`);
  const cfg = parseConfig();
  const figures: Record<string, number> = {};
  const log = (line: string) => console.log(line);

  await withDatabase(cfg, async (uri) => {
    if (only.has('init')) Object.assign(figures, await benchInit(uri, log));
    if (only.has('drill')) {
      const drill = await benchDrill(uri, log);
      Object.assign(figures, drill);
      // The issue names them drill_<algorithm>_…: give copy-drop-restore under its own name too.
      for (const [key, value] of Object.entries(drill)) {
        if (key.startsWith('drill_copy_drop_restore_')) figures[key.replace('copy_drop_restore', 'copy-drop-restore')] = value;
      }
    }
    if (only.has('history')) Object.assign(figures, await benchHistory(uri, log));
  });
  if (only.has('audit')) {
    const audit = await benchAudit();
    log(`audit: 10,000 dashboards x 20 components = 200k components in ${audit.audit_200k_ms} ms, peak ${audit.audit_200k_peak_mb} MB (target: under 1000 ms)`);
    log(
      `audit: 40,000 dashboards = 800k components in ${audit.audit_800k_ms} ms, peak ${audit.audit_800k_peak_mb} MB (x${(audit.audit_800k_ms / audit.audit_200k_ms).toFixed(2)} time for x4 components)`,
    );
    Object.assign(figures, audit);
  }
  if (only.has('overview')) Object.assign(figures, await benchOverview(log));
  if (only.has('dashboards')) Object.assign(figures, await benchDashboards(log));
  if (args.json) console.log(JSON.stringify(figures));
}

main().catch((error) => fail(error));

/**
 * npm run drill -- --algorithm unsafe|copy-drop-restore|lease|all -n N [--late K] [--late-after MS]
 *                  [--window-ms MS] [--poll-ms MS] [--lease-ms MS] [--kill-holder] [--keep] [--json]
 *
 * The race drill: on a fresh scratch database per algorithm, starts N worker processes together and
 * K more after a delay, each with wipe on and the same generation, and prints the incident report's
 * tables side by side. With --json the last line is one JSON array, one object per algorithm.
 * Exit 0 when the lease algorithm (ours) passes; the old algorithms are expected to fail.
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../lib/env';
import { runDrills } from '../lib/drill/run-drill';
import { DRILL_ALGORITHMS, type DrillAlgorithm, type DrillResult } from '../lib/drill/types';
import { parseWholeNumberArg } from '../lib/whole-number';
import { fail } from './fail';
import { withDatabase } from './with-database';

const USAGE =
  'usage: npm run drill -- --algorithm unsafe|copy-drop-restore|lease|all -n N [--late K] [--late-after MS] [--window-ms MS]\n' +
  '                        [--poll-ms MS] [--lease-ms MS] [--kill-holder] [--keep] [--json]';

function argError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID' });
}

const optionalWhole = (name: string, raw: string | undefined, min: number, max: number) =>
  raw === undefined ? undefined : parseWholeNumberArg(name, raw, min, max);

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      algorithm: { type: 'string', default: 'all' },
      n: { type: 'string', short: 'n', default: '8' },
      late: { type: 'string', default: '0' },
      'late-after': { type: 'string', default: '100' },
      'window-ms': { type: 'string', default: '0' },
      'poll-ms': { type: 'string' },
      'lease-ms': { type: 'string' },
      'kill-holder': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const algorithms: DrillAlgorithm[] =
    args.algorithm === 'all' ? [...DRILL_ALGORITHMS] : DRILL_ALGORITHMS.includes(args.algorithm as DrillAlgorithm) ? [args.algorithm as DrillAlgorithm] : [];
  if (algorithms.length === 0) throw argError(`--algorithm must be one of ${DRILL_ALGORITHMS.join(', ')} or all (got "${args.algorithm}")`);
  const options = {
    workers: parseWholeNumberArg('-n', args.n, 1, 128),
    late: parseWholeNumberArg('--late', args.late, 0, 128),
    lateAfterMs: parseWholeNumberArg('--late-after', args['late-after'], 0, 600_000),
    windowMs: parseWholeNumberArg('--window-ms', args['window-ms'], 0, 600_000),
    pollMs: optionalWhole('--poll-ms', args['poll-ms'], 5, 60_000),
    leaseMs: optionalWhole('--lease-ms', args['lease-ms'], 300, 600_000),
    killHolder: args['kill-holder'],
    keep: args.keep,
  };
  const cfg = parseConfig();

  const results = await withDatabase(cfg, (uri) =>
    runDrills(uri, algorithms, options, {
      config: cfg,
      onProgress: (p) => {
        if (p.phase === 'starting') console.error(`[drill] ${p.algorithm}: starting ${p.workers} workers on ${p.database}`);
        if (p.phase === 'done') console.error(`[drill] ${p.algorithm}: done in ${p.elapsed_ms} ms`);
      },
    }),
  );
  console.log(renderTable(results));
  for (const r of results) {
    console.log(`\n${r.algorithm}: ${r.pass ? 'PASS' : 'FAIL'}`);
    for (const problem of [...r.data_problems, ...r.run_problems]) console.log(`  - ${problem}`);
    if (r.kept) console.log(`  kept: ${r.database}${r.history_database !== r.database ? ` and ${r.history_database}` : ''}`);
  }
  if (args.json) console.log(JSON.stringify(results));
  return results.filter((r) => r.algorithm === 'lease').every((r) => r.pass) ? 0 : 1;
}

/** The incident's verification tables, one column per algorithm. */
function renderTable(results: DrillResult[]): string {
  const rows: Array<[string, (r: DrillResult) => string]> = [
    ['workers (late starters)', (r) => `${r.on_time}${r.late ? ` + ${r.late} late` : ''}`],
    ['workers that acquired', (r) => String(r.acquired)],
    ['wipes', (r) => String(r.wipes)],
    ['projects persisted', (r) => `${r.projects} of ${r.expected_projects}${r.duplicate_projects.length ? ` (dup: ${r.duplicate_projects.length})` : ''}`],
    ['dashboards documents', (r) => `${r.dashboards} of ${r.expected_dashboards}`],
    ['components with invalid DC ids', (r) => String(r.invalid_components)],
    ['duplicate registrations', (r) => String(r.duplicate_registrations)],
    ['completion marker', (r) => (r.completion_marker ? 'yes' : 'missing')],
    [
      'lock taken inside the window',
      (r) => (r.window_ms === null ? '-' : `${r.breaches.filter((b) => b.in_window).length} (${r.breaches.filter((b) => b.in_window && b.late).length} late)`),
    ],
    ['ready before a later wipe', (r) => String(r.ready_before_last_wipe)],
    ['takeovers', (r) => String(r.takeovers)],
    ['failed workers', (r) => String(r.failed)],
    ['every worker ready (ms)', (r) => (r.elapsed_ms === null ? '?' : String(r.elapsed_ms))],
    ['verdict', (r) => (r.pass ? 'PASS' : 'FAIL')],
  ];
  const header = ['', ...results.map((r) => r.algorithm)];
  const body = rows.map(([label, cell]) => [label, ...results.map(cell)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error, USAGE),
);

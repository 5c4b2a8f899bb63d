/**
 * npm run probe -- [--uri URI] [--json] [--db depictio_probe_<hex>]
 *
 * Checks, on a scratch database of the given cluster (created and dropped here), every MongoDB
 * behaviour the product relies on (docs/mongodb-behaviour.md). Prints a table and the topology, or
 * with --json one JSON object as the last line (the ProbeReport). Exit 0: every needed behaviour
 * holds; 1: a row failed; 2: the probe could not run (unreachable, bad arguments).
 */
import { parseArgs } from 'node:util';
import { redactUri } from '../lib/db/redact-uri';
import { parseConfig, requireMongoUri } from '../lib/env';
import type { ProbeReport } from '../lib/probe/report';
import { runProbe } from '../lib/probe/run-probe';
import { ProbeArgumentError } from '../lib/probe/scratch-name';
import { fail } from './fail';

const USAGE = 'usage: npm run probe -- [--uri URI] [--json] [--db depictio_probe_<hex>]';
const HEADERS = ['Row', 'Behaviour', 'Needs', 'Observed', 'Result'] as const;

/** Column widths for the text columns: a row's cells wrap at word boundaries to stay readable in a terminal. */
const WRAP = [0, 34, 40, 48, 0];

function wrap(text: string, width: number): string[] {
  if (width === 0 || text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** Columns padded to their widest line, two spaces apart; long cells continue on the lines below. */
function table(rows: string[][], indent = '  '): string[] {
  const wrapped = rows.map((r) => r.map((cell, i) => wrap(cell, WRAP[i] ?? 0)));
  const widths = rows[0]!.map((_, i) => Math.max(...wrapped.map((r) => Math.max(...r[i]!.map((l) => l.length)))));
  return wrapped.flatMap((r) => {
    const height = Math.max(...r.map((c) => c.length));
    return Array.from(
      { length: height },
      (_, n) =>
        indent +
        r
          .map((c, i) => (i === r.length - 1 ? (c[n] ?? '') : (c[n] ?? '').padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
    );
  });
}

function reportText(report: ProbeReport, where: string): string {
  const cells = report.rows.map((r) => [r.id, r.behaviour, r.needs, r.observed, r.status.toUpperCase()]);
  const failed = report.rows.filter((r) => r.status === 'fail').map((r) => r.id);
  const skipped = report.rows.filter((r) => r.status === 'skipped').length;
  return [
    `MongoDB probe of ${where} (scratch database ${report.database}, ${report.dropped ? 'dropped' : 'NOT dropped: drop it by hand'})`,
    ...table([[...HEADERS], ...cells]),
    '',
    `Topology: ${report.topology}`,
    report.transactional_fencing
      ? 'Transactional fencing: available (each wipe and seed batch runs in a transaction that writes the lock first)'
      : 'Transactional fencing: NOT available on a standalone: fencing is per document and best-effort (a holder paused between its lease check and a write can still land that write); run a replica set, even a single-node one',
    `Server version: ${report.server_version}`,
    failed.length === 0
      ? `Result: every behaviour the product needs holds (${report.rows.length - skipped} passed, ${skipped} skipped)`
      : `Result: FAILED: ${failed.join(', ')}`,
  ].join('\n');
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      uri: { type: 'string' },
      json: { type: 'boolean', default: false },
      db: { type: 'string' },
    },
  });
  const cfg = parseConfig();
  const uri = args.uri ?? requireMongoUri(cfg);
  if (!/^mongodb(\+srv)?:\/\//.test(uri)) throw new ProbeArgumentError('--uri must start with mongodb:// or mongodb+srv://');
  const report = await runProbe({ uri, database: args.db, timeoutMs: cfg.MONGODB_TIMEOUT_MS });
  await write(args.json ? `${JSON.stringify(report)}\n` : `${reportText(report, redactUri(uri))}\n`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof ProbeArgumentError) {
      console.error(error.message);
      console.error(USAGE);
      process.exit(2);
    }
    fail(error, USAGE);
  },
);

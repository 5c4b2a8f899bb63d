/**
 * npm run reseed -- --project NAME_OR_ID [--plan] [--json] [--yes]
 * npm run reseed -- --all [--plan] [--json] [--yes]
 *
 * Reseeds one project (its seeded documents deleted and written again, everything else kept) or
 * everything (every collection but the console's own emptied, then seeded), under the same lease
 * as every initialization. The plan is printed first, always; `--plan` stops there. Without
 * `--yes`, a terminal asks for the project's (or the database's) name; a script must pass `--yes`.
 * Exit 0: the run completed (or the plan was printed); 1: refused (the lease is held, an unknown
 * project) or the run failed; 2: could not run (configuration, seeds, database).
 */
import os from 'node:os';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { reseedPlan, UnknownProjectError } from '../lib/admin/reseed-plan';
import type { ReseedPlan } from '../lib/admin/schemas';
import { startRun } from '../lib/admin/start-run';
import { connect } from '../lib/db/client';
import { parseConfig, requireMongoUri } from '../lib/env';
import { configuredSeeds } from '../lib/init/prepare';
import type { WorkerOutcome } from '../lib/init/run-worker';
import type { HistoryEvent } from '../lib/schemas/history';
import { fail } from './fail';

const USAGE = 'usage: npm run reseed -- (--project NAME_OR_ID | --all) [--plan] [--json] [--yes]';

function planText(plan: ReseedPlan): string[] {
  const title = plan.project ? `Reseed of project "${plan.project.name}" (${plan.project.id}) from ${plan.project.folder}` : 'Reseed of everything';
  const width = Math.max(10, ...plan.collections.map((c) => c.name.length));
  return [
    `${title} in database ${plan.database} (state ${plan.seen_state})`,
    `  ${'collection'.padEnd(width)}  delete   write    keep`,
    ...plan.collections.map((c) => `  ${c.name.padEnd(width)}  ${String(c.delete).padStart(6)}  ${String(c.write).padStart(6)}  ${String(c.keep).padStart(6)}`),
    ...plan.notes.map((n) => `  ${n}`),
  ];
}

const write = (text: string) => new Promise<void>((resolve, reject) => process.stderr.write(text, (error) => (error ? reject(error) : resolve())));
const print = (text: string) => new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));

/** The name the admin must type: the project's, or the database's for a full reseed. */
async function confirmed(plan: ReseedPlan): Promise<boolean> {
  const expected = plan.project?.name ?? plan.database;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Type ${plan.project ? 'the project name' : 'the database name'} (${expected}) to go on: `);
    return answer.trim() === expected;
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      project: { type: 'string' },
      all: { type: 'boolean', default: false },
      plan: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
    },
  });
  if ((args.project === undefined) === !args.all) {
    throw Object.assign(new Error('give exactly one of --project NAME_OR_ID and --all'), { code: 'ERR_PARSE_ARGS_INVALID' });
  }
  const cfg = parseConfig();
  const client = await connect({ uri: requireMongoUri(cfg), timeoutMs: cfg.MONGODB_TIMEOUT_MS, appName: 'depictio-init-console-reseed' });
  try {
    const db = client.db(cfg.MONGODB_DB);
    // Loaded once (it hashes the passwords): the plan and the run read the same seeds.
    const seeds = await configuredSeeds(cfg);
    let plan: ReseedPlan;
    try {
      plan = await reseedPlan(db, cfg, args.all ? 'all' : { project: args.project! }, seeds);
    } catch (error) {
      if (!(error instanceof UnknownProjectError)) throw error;
      console.error(`Nothing was done: ${error.message}.`);
      return 1;
    }
    if (args.plan) {
      await print(args.json ? `${JSON.stringify({ plan })}\n` : `${planText(plan).join('\n')}\n`);
      return 0;
    }
    if (!args.json) await write(`${planText(plan).join('\n')}\n`);
    if (!args.yes) {
      if (!process.stdin.isTTY) {
        console.error('Nothing was done: pass --yes to reseed without a terminal to confirm on.');
        return 2;
      }
      if (!(await confirmed(plan))) {
        console.error('Nothing was done: the name did not match.');
        return 1;
      }
    }
    let resolveDone!: (outcome: WorkerOutcome) => void;
    const done = new Promise<WorkerOutcome>((resolve) => (resolveDone = resolve));
    const onEvent = (e: HistoryEvent) => {
      if (!args.json && e.event !== 'lease-renewed') void write(`  ${e.at.toISOString()} ${e.event}${e.fence === null ? '' : ` (fence ${e.fence})`}\n`);
    };
    const requestedBy = `cli:${os.userInfo().username}@${os.hostname()}`;
    const started = await startRun(
      db,
      cfg,
      { kind: plan.project ? 'reseed-project' : 'reseed', project: plan.project?.id, seenState: plan.seen_state, requestedBy, seeds },
      { onDone: resolveDone, onEvent },
    );
    if (!started.ok) {
      if (args.json) await print(`${JSON.stringify({ plan, refused: started })}\n`);
      console.error(started.error);
      return 1;
    }
    if (started.already_started) {
      if (args.json) await print(`${JSON.stringify({ plan, run_id: started.run_id, already_started: true })}\n`);
      console.error(`Nothing was started: run ${started.run_id} was already started from this same state; the history shows it.`);
      return 1;
    }
    const outcome = await done;
    if (args.json) await print(`${JSON.stringify({ plan, run_id: started.run_id, generation: started.generation, ...outcome })}\n`);
    else if (outcome.outcome === 'acquired') await print(`Run ${started.run_id} completed: fence ${outcome.fence}, wrote ${JSON.stringify(outcome.counts)}\n`);
    else console.error(`Run ${started.run_id} ${outcome.outcome}${'reason' in outcome ? `: ${outcome.reason}` : ''}`);
    return outcome.outcome === 'acquired' ? 0 : 1;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error, USAGE),
);

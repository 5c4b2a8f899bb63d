/**
 * npm run repair -- --plan [--dashboard ID [--component INDEX]] [--replace-dc X=Y]… [--replace-wf X=Y]… [--json] [--out FILE]
 * npm run repair -- --apply PLAN.json [--json] [--by WHO]
 * npm run repair -- --undo RUN_ID [--json] [--by WHO]
 *
 * --plan is the dry run: the audit's suggested fixes (of every dashboard, or of one), or bulk
 * replaces, as a diff (per dashboard, per component, field: before → after). It writes nothing;
 * --out FILE (or --json, on stdout) gives the plan as JSON for --apply. --apply writes each
 * component only where it still holds what the plan saw; --undo RUN_ID restores a repair's before
 * values where its after values still are. The history records who (--by, else the OS user).
 * Exit 0: everything applied (or planned); 1: some component skipped, changed meanwhile; 2: could not run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { connect } from '../lib/db/client';
import { parseConfig, requireMongoUri } from '../lib/env';
import { plural } from '../lib/history/plural';
import { applyRepairPlan } from '../lib/repair/apply';
import { RepairInputError } from '../lib/repair/errors';
import { buildRepairPlan } from '../lib/repair/plan';
import { replaceSchema, type RepairOutcome, type RepairPlan, type Replace } from '../lib/repair/schemas';
import { storedValueText } from '../lib/audit/suggestion-text';
import { undoRepair } from '../lib/repair/undo';
import { zodIssueLines } from '../lib/zod-issues';
import { fail } from './fail';

const USAGE = [
  'usage: npm run repair -- --plan [--dashboard ID [--component INDEX]] [--replace-dc X=Y] [--replace-wf X=Y] [--json] [--out FILE]',
  '       npm run repair -- --apply PLAN.json [--json] [--by WHO]',
  '       npm run repair -- --undo RUN_ID [--json] [--by WHO]',
].join('\n');

const usageError = (message: string) => Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID' });

function replaces(field: Replace['field'], values: string[] | undefined): Replace[] {
  return (values ?? []).map((value) => {
    const at = value.lastIndexOf('=');
    const parsed = replaceSchema.safeParse({ field, from: value.slice(0, Math.max(at, 0)), to: value.slice(at + 1) });
    if (at < 0 || !parsed.success) throw usageError(`--replace-${field === 'dc_id' ? 'dc' : 'wf'} ${value}: expected OLD=NEW with NEW a 24-hex id`);
    return parsed.data;
  });
}

function planText(plan: RepairPlan): string[] {
  const c = plan.counts;
  const lines = [
    `Repair plan for ${plan.database}: ${plural(c.edits, 'edit')} in ${plural(c.components, 'component')} of ${plural(c.dashboards, 'dashboard')}`,
  ];
  for (const d of plan.dashboards) {
    lines.push('', `${d.title} (dashboard ${d.dashboard_id}): ${plural(d.components.length, 'component')}`);
    for (const component of d.components) {
      lines.push(
        `  ${component.tab_title} · ${component.component_type}${component.title ? ` "${component.title}"` : ''} (${storedValueText(component.location.index)}, position ${component.location.position})`,
      );
      for (const e of component.edits) lines.push(`    ${e.field}: ${storedValueText(e.before)} → ${storedValueText(e.after)}  (${e.reason})`);
    }
  }
  if (plan.unfixed.length > 0) {
    lines.push('', `${plural(plan.unfixed.length, 'finding')} with no fix known:`);
    for (const u of plan.unfixed) lines.push(`  ${u.tab_title} · ${u.component_type} (${u.index}): looked at ${u.looked_at.join('; ')}`);
  }
  return lines;
}

function outcomeText(outcome: RepairOutcome): string[] {
  const verb = outcome.kind === 'repair' ? 'applied' : 'restored';
  const lines = outcome.components.map(
    (c) =>
      `${c.skipped === null ? verb.toUpperCase() : 'SKIPPED'}  ${c.dashboard_id} · ${c.tab_title} · ${c.component_type} (${storedValueText(c.location.index)})` +
      (c.skipped === null
        ? `: ${c.edits.map((e) => `${e.field} ${storedValueText(outcome.kind === 'repair' ? e.after : e.before)}`).join(', ')}`
        : `: ${c.skipped}`),
  );
  const n = outcome.counts;
  lines.push(
    '',
    `${outcome.kind === 'repair' ? 'Repair' : 'Undo of repair'} ${outcome.run_id}: ${verb} ${plural(n.applied, 'component')}, skipped ${n.skipped}` +
      (n.skipped > 0 ? ' (changed meanwhile: not overwritten)' : ''),
  );
  return lines;
}

const write = (text: string) => new Promise<void>((resolve, reject) => process.stdout.write(`${text}\n`, (error) => (error ? reject(error) : resolve())));

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      plan: { type: 'boolean', default: false },
      apply: { type: 'string' },
      undo: { type: 'string' },
      dashboard: { type: 'string' },
      component: { type: 'string' },
      'replace-dc': { type: 'string', multiple: true },
      'replace-wf': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      by: { type: 'string' },
    },
  });
  const modes = [args.plan, args.apply !== undefined, args.undo !== undefined].filter(Boolean).length;
  if (modes !== 1) throw usageError('give exactly one of --plan, --apply PLAN.json, --undo RUN_ID');
  const replace = [...replaces('dc_id', args['replace-dc']), ...replaces('wf_id', args['replace-wf'])];
  // Read the plan before connecting: a missing or malformed file is the user's, and nothing runs.
  const plan = args.apply === undefined ? undefined : JSON.parse(await readFile(args.apply, 'utf8'));
  const cfg = parseConfig();
  const by = args.by ?? `cli:${os.userInfo().username}@${os.hostname()}`;
  const client = await connect({ uri: requireMongoUri(cfg), timeoutMs: cfg.MONGODB_TIMEOUT_MS, appName: 'depictio-init-console-repair' });
  try {
    const db = client.db(cfg.MONGODB_DB);
    if (args.plan) {
      const built = await buildRepairPlan(db, {
        dashboard_id: args.dashboard,
        component_index: args.component,
        replace,
        suggested: replace.length === 0,
      });
      if (args.out) await writeFile(args.out, `${JSON.stringify(built, null, 2)}\n`);
      await write(args.json ? JSON.stringify(built) : planText(built).join('\n'));
      return 0;
    }
    const outcome = plan !== undefined ? await applyRepairPlan(db, plan, { by }) : await undoRepair(db, args.undo!, { by });
    await write(args.json ? JSON.stringify(outcome) : outcomeText(outcome).join('\n'));
    return outcome.counts.skipped > 0 ? 1 : 0;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof RepairInputError || error instanceof SyntaxError) {
      console.error(error.message);
      process.exit(2);
    }
    if (error instanceof z.ZodError) {
      console.error(`the plan file is not a repair plan:\n${zodIssueLines(error).join('\n')}`);
      process.exit(2);
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error((error as Error).message);
      process.exit(2);
    }
    fail(error, USAGE);
  },
);

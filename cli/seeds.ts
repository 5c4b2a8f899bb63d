/**
 * npm run seeds -- check [--seeds DIR] [--json]
 *
 * Validates a seed folder (SEEDS_DIR, or DIR) without touching any database, and prints what a
 * seeding would create (projects, workflows, DCs, dashboards, components, registrations) and
 * every problem, errors apart from warnings. With --json exactly one JSON document (the SeedPlan).
 * Exit 0: no error (warnings allowed); 1: at least one error; 2: the check could not run.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../lib/env';
import { plural } from '../lib/history/plural';
import { seedPlan, type SeedPlan } from '../lib/seeds/plan';
import type { SeedProblem } from '../lib/seeds/errors';
import { fail } from './fail';

const USAGE = 'usage: npm run seeds -- check [--seeds DIR] [--json]';

const problemLine = (p: SeedProblem) => `  - ${p.file}: ${p.field ? `${p.field}: ` : ''}${p.message}`;

function planText(plan: SeedPlan): string[] {
  const lines = [`Seed plan for ${plan.seeds_dir}${plan.digest ? ` (digest ${plan.digest.slice(0, 12)})` : ''}`];
  lines.push(
    `users: ${plan.users.map((u) => `${u.email}${u.is_admin ? ' (admin)' : ''}`).join(', ') || '-'}; groups: ${plan.groups.map((g) => g.name).join(', ') || '-'}`,
  );
  for (const p of plan.projects) {
    lines.push('', `project "${p.name}" (${p.id}) from ${p.folder}`);
    for (const wf of p.workflows) {
      lines.push(`  workflow ${wf.name} (${wf.id}, ${wf.workflow_tag})`);
      for (const dc of wf.data_collections) {
        const columns = dc.type === 'table' ? `, ${plural(dc.columns, 'column')} from ${dc.columns_from}` : '';
        lines.push(`    DC ${dc.tag} (${dc.id}): ${dc.type}${dc.source !== 'native' ? `, ${dc.source}` : ''}${columns}`);
      }
    }
    for (const d of p.dashboards) {
      const types = Object.entries(d.component_types)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ');
      const tab = d.parent_id ? `child tab ${d.tab_order} of ${d.parent_id}` : 'main tab';
      lines.push(`  dashboard "${d.title}" (${d.id}, ${tab}) from ${path.basename(d.file)}: ${plural(d.components, 'component')}${types ? ` (${types})` : ''}`);
    }
    lines.push(`  registrations: deltatables ${p.registrations.deltatables.join(', ') || '-'}; multiqc ${p.registrations.multiqc.join(', ') || '-'}`);
  }
  const t = plan.totals;
  lines.push(
    '',
    `would create ${plural(t.projects, 'project')}, ${plural(t.workflows, 'workflow')}, ${plural(t.data_collections, 'data collection')}, ` +
      `${plural(t.dashboards, 'dashboard document')}, ${plural(t.components, 'component')}, ${plural(t.deltatables, 'deltatable')} and ${plural(t.multiqc, 'multiqc registration')}`,
  );
  if (plan.errors.length > 0) lines.push('', `${plural(plan.errors.length, 'error')}:`, ...plan.errors.map(problemLine));
  if (plan.warnings.length > 0) lines.push('', `${plural(plan.warnings.length, 'warning')}:`, ...plan.warnings.map(problemLine));
  lines.push(
    '',
    plan.errors.length > 0
      ? `FAIL: ${plural(plan.errors.length, 'error')}, ${plural(plan.warnings.length, 'warning')}`
      : `OK: no error, ${plural(plan.warnings.length, 'warning')}`,
  );
  return lines;
}

async function main(): Promise<number> {
  const { values: args, positionals } = parseArgs({
    allowPositionals: true,
    options: { seeds: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1 || positionals[0] !== 'check') {
    throw Object.assign(new Error(`expected the command "check" (got ${positionals.join(' ') || 'nothing'})`), { code: 'ERR_PARSE_ARGS_INVALID' });
  }
  const cfg = parseConfig();
  const dir = path.resolve(args.seeds ?? cfg.SEEDS_DIR);
  const plan = await seedPlan(dir, {
    adminEmail: cfg.ADMIN_EMAIL,
    passwords: { ADMIN_PASSWORD: cfg.ADMIN_PASSWORD, TEST_USER_PASSWORD: cfg.TEST_USER_PASSWORD },
  });
  if (plan.errors.length === 1 && plan.projects.length === 0 && plan.errors[0]!.message === 'seeds folder is missing or unreadable') {
    console.error(`${dir}: seeds folder is missing or unreadable`);
    return 2;
  }
  const out = args.json ? JSON.stringify(plan) : planText(plan).join('\n');
  await new Promise<void>((resolve) => process.stdout.write(`${out}\n`, () => resolve()));
  return plan.errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error, USAGE),
);

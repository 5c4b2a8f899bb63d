/**
 * The audit on synthetic dashboards, in memory (no database): time and peak memory for 10,000
 * dashboards × 20 components (200k components) and for 40,000 (800k), to show that the time grows
 * linearly and the memory not at all. Each size runs in its own process (`--expose-gc`) so that
 * one measurement's heap cannot inflate the other's.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { ObjectId } from 'mongodb';
import { auditDashboards } from '../lib/audit/audit-dashboards';
import { buildDcIndex } from '../lib/audit/dc-index';
import { emptyCounts, type AuditCounts } from '../lib/audit/types';

export const COMPONENTS_PER_DASHBOARD = 20;
const PROJECTS = 50;
const TABLE_DCS_PER_PROJECT = 5;
const COLUMNS_PER_DC = 12;
const ADMIN = { _id: new ObjectId('67658ba033c8b59ad489d7c7'), email: 'admin@example.com', is_admin: true };

const hex = (prefix: string, n: number) => prefix + n.toString(16).padStart(24 - prefix.length, '0');
const projectHex = (p: number) => hex('a1', p);
const workflowHex = (p: number) => hex('b1', p);
const dcHex = (p: number, d: number) => hex('c1', p * 16 + d);
const column = (c: number) => `col_${c}`;

/** Projects with one workflow each: five table DCs (twelve columns) and one MultiQC DC. */
export function syntheticProjects(): Record<string, unknown>[] {
  return Array.from({ length: PROJECTS }, (_, p) => ({
    _id: new ObjectId(projectHex(p)),
    name: `Synthetic project ${p}`,
    is_public: p % 10 !== 0,
    permissions: { owners: [ADMIN], editors: [], viewers: p % 10 !== 0 ? ['*'] : [] },
    workflows: [
      {
        _id: new ObjectId(workflowHex(p)),
        name: `workflow_${p}`,
        data_collections: [
          ...Array.from({ length: TABLE_DCS_PER_PROJECT }, (_, d) => ({
            _id: new ObjectId(dcHex(p, d)),
            data_collection_tag: `table_${d}`,
            config: {
              type: 'table',
              dc_specific_properties: { columns_description: Object.fromEntries(Array.from({ length: COLUMNS_PER_DC }, (_, c) => [column(c), ''])) },
            },
          })),
          { _id: new ObjectId(dcHex(p, TABLE_DCS_PER_PROJECT)), data_collection_tag: 'multiqc_data', config: { type: 'multiqc' } },
        ],
      },
    ],
  }));
}

export function syntheticRegistrations(): Record<string, unknown>[] {
  return Array.from({ length: PROJECTS * TABLE_DCS_PER_PROJECT }, (_, i) => {
    const p = Math.floor(i / TABLE_DCS_PER_PROJECT);
    const d = i % TABLE_DCS_PER_PROJECT;
    return {
      data_collection_id: new ObjectId(dcHex(p, d)),
      aggregation: [{ aggregation_columns_specs: Array.from({ length: COLUMNS_PER_DC }, (_, c) => ({ name: column(c), type: 'float64' })) }],
    };
  });
}

/** ObjectIds made once: parsing hex per component would measure the generator, not the audit. */
const ids = {
  projects: Array.from({ length: PROJECTS }, (_, p) => new ObjectId(projectHex(p))),
  workflows: Array.from({ length: PROJECTS }, (_, p) => new ObjectId(workflowHex(p))),
  dcs: Array.from({ length: PROJECTS }, (_, p) => Array.from({ length: TABLE_DCS_PER_PROJECT + 1 }, (_, d) => new ObjectId(dcHex(p, d)))),
  strays: Array.from({ length: 64 }, (_, i) => new ObjectId(hex('dd', i))),
};
const COLUMNS = Array.from({ length: COLUMNS_PER_DC + 1 }, (_, c) => column(c));
const TAGS = Array.from({ length: TABLE_DCS_PER_PROJECT }, (_, d) => `table_${d}`);

/** One component, as stored; a few break a rule on purpose (unknown DC, renamed tag, missing column). */
function component(dashboard: number, k: number): Record<string, unknown> {
  const p = dashboard % PROJECTS;
  const d = (dashboard + k) % TABLE_DCS_PER_PROJECT;
  const n = dashboard * COMPONENTS_PER_DASHBOARD + k;
  const index = `${dashboard}-${k}`;
  const dcId = ids.dcs[p]![d]!;
  const wfId = ids.workflows[p]!;
  const dc_id = n % 1009 === 0 ? ids.strays[n % 64]! : dcId;
  const data_collection_tag = n % 503 === 0 ? 'renamed_tag' : TAGS[d]!;
  const dc_config = { _id: dcId, data_collection_tag: TAGS[d]!, type: 'table' };
  const col = COLUMNS[(n * 7) % (n % 97 === 0 ? COLUMNS_PER_DC + 1 : COLUMNS_PER_DC)]!;
  switch (k % 7) {
    case 0:
      return { index, component_type: 'text', title: 'Notes', dc_id: null, wf_id: null };
    case 1:
      return { index, component_type: 'card', title: 'Card', dc_id, wf_id: wfId, data_collection_tag, dc_config, column_name: col, aggregation: 'average' };
    case 2:
      return {
        index,
        component_type: 'interactive',
        title: 'Filter',
        dc_id,
        wf_id: wfId,
        data_collection_tag,
        dc_config,
        column_name: col,
        interactive_component_type: 'MultiSelect',
      };
    case 3:
      return { index, component_type: 'table', title: 'Table', dc_id, wf_id: wfId, data_collection_tag, dc_config };
    case 4:
      return { index, component_type: 'multiqc', title: 'QC', dc_id: ids.dcs[p]![TABLE_DCS_PER_PROJECT]!, wf_id: wfId, selected_module: 'fastqc' };
    default:
      return {
        index,
        component_type: 'figure',
        title: 'Figure',
        dc_id,
        wf_id: wfId,
        data_collection_tag,
        dc_config,
        visu_type: 'scatter',
        dict_kwargs: { x: col, y: COLUMNS[1]!, color: COLUMNS[2]! },
      };
  }
}

/**
 * `count` dashboards, each a main tab (12 components) and one child tab (8), made one at a time as
 * they are read: the input never occupies memory as a whole.
 */
export function* syntheticDashboards(count: number): Generator<Record<string, unknown>> {
  const mainShare = 12;
  for (let i = 0; i < count; i += 1) {
    const p = i % PROJECTS;
    const mainId = new ObjectId();
    const permissions = { owners: [ADMIN], editors: [], viewers: [] };
    const main: unknown[] = [];
    for (let k = 0; k < mainShare; k += 1) main.push(component(i, k));
    yield { _id: mainId, project_id: ids.projects[p], permissions, title: `Dashboard ${i}`, parent_dashboard_id: null, tab_order: 0, stored_metadata: main };
    const child: unknown[] = [];
    for (let k = mainShare; k < COMPONENTS_PER_DASHBOARD; k += 1) child.push(component(i, k));
    yield {
      _id: new ObjectId(),
      project_id: ids.projects[p],
      permissions,
      title: `Dashboard ${i} details`,
      parent_dashboard_id: mainId,
      tab_order: 1,
      stored_metadata: child,
    };
  }
}

export interface AuditRun {
  dashboards: number;
  components: number;
  ms: number;
  peak_mb: number;
  counts: AuditCounts;
}

const heapUsed = () => v8.getHeapStatistics().used_heap_size;
const collect = () => (globalThis as { gc?: () => void }).gc?.();

/** One timed pass: streams the synthetic dashboards through the audit, keeping only the counts. */
function timedPass(dashboards: number, projects: unknown[], registrations: unknown[], baseline: number) {
  let peak = baseline;
  const counts = emptyCounts();
  const started = performance.now();
  const index = buildDcIndex(projects, { deltatables: registrations });
  let seen = 0;
  for (const report of auditDashboards(index, syntheticDashboards(dashboards))) {
    counts.components += report.counts.components;
    counts.valid += report.counts.valid;
    counts.warning += report.counts.warning;
    counts.error += report.counts.error;
    counts.na += report.counts.na;
    seen += 1;
    if (seen % 200 === 0) peak = Math.max(peak, heapUsed());
  }
  const ms = performance.now() - started;
  return { seen, counts, ms, peak: Math.max(peak, heapUsed()) };
}

/**
 * Audits `dashboards` synthetic dashboards `repeats` times after a warm-up of `warmUp` dashboards
 * (compiled code, as in a long-running server). Returns the median time (which includes making the
 * input) and the peak heap above the heap before each pass (run with --expose-gc, so that the
 * baseline holds no garbage).
 */
export function runAuditBench(dashboards: number, repeats = 3, warmUp = 5_000): AuditRun {
  const projects = syntheticProjects();
  const registrations = syntheticRegistrations();
  for (const report of auditDashboards(buildDcIndex(projects, { deltatables: registrations }), syntheticDashboards(warmUp))) void report;
  const times: number[] = [];
  let peakAbove = 0;
  let last: ReturnType<typeof timedPass> | undefined;
  for (let r = 0; r < repeats; r += 1) {
    collect();
    collect();
    const baseline = heapUsed();
    last = timedPass(dashboards, projects, registrations, baseline);
    times.push(last.ms);
    peakAbove = Math.max(peakAbove, last.peak - baseline);
  }
  times.sort((a, b) => a - b);
  return {
    dashboards: last!.seen,
    components: last!.counts.components,
    ms: times[Math.floor(times.length / 2)]!,
    peak_mb: peakAbove / 2 ** 20,
    counts: last!.counts,
  };
}

const CHILD = fileURLToPath(new URL('./audit-child.ts', import.meta.url));

/** Runs `runAuditBench` in a fresh process; the child prints its AuditRun as JSON. */
export function runAuditInChild(dashboards: number): Promise<AuditRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, String(dashboards)], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`audit benchmark child (${dashboards} dashboards) exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as AuditRun);
      } catch (error) {
        reject(error);
      }
    });
  });
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export async function benchAudit(): Promise<{ audit_200k_ms: number; audit_200k_peak_mb: number; audit_800k_ms: number; audit_800k_peak_mb: number }> {
  // One size after the other: on two cores, running both at once would measure contention.
  const small = await runAuditInChild(10_000);
  const large = await runAuditInChild(40_000);
  return {
    audit_200k_ms: round(small.ms, 1),
    audit_200k_peak_mb: round(small.peak_mb, 1),
    audit_800k_ms: round(large.ms, 1),
    audit_800k_peak_mb: round(large.peak_mb, 1),
  };
}

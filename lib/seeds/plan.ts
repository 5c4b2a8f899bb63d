import { buildDcIndex, type DashboardRef } from '../audit/dc-index';
import { validateComponent, type TabContext } from '../audit/validate-component';
import { idHex } from '../db/id-hex';
import { isMultiqcGeneralStats } from '../schemas/component-columns';
import { z } from 'zod';
import type { Credentials } from './build';
import { seedProblemSchema } from './errors';
import { readSeeds } from './read';
import { isObject } from './stored';

const count = z.number().int().nonnegative();

export const planDcSchema = z.object({
  id: z.string(),
  tag: z.string(),
  type: z.string(),
  source: z.string(),
  columns: count,
  columns_from: z.string(),
});
export type PlanDc = z.infer<typeof planDcSchema>;

export const planDashboardSchema = z.object({
  file: z.string(),
  id: z.string(),
  title: z.string(),
  parent_id: z.string().nullable(),
  tab_order: z.number(),
  components: count,
  component_types: z.record(z.string(), count),
});
export type PlanDashboard = z.infer<typeof planDashboardSchema>;

export const planProjectSchema = z.object({
  folder: z.string(),
  id: z.string(),
  name: z.string(),
  digest: z.string().nullable(),
  workflows: z.array(z.object({ id: z.string(), name: z.string(), workflow_tag: z.string(), data_collections: z.array(planDcSchema) })),
  dashboards: z.array(planDashboardSchema),
  registrations: z.object({ deltatables: z.array(z.string()), multiqc: z.array(z.string()) }),
});
export type PlanProject = z.infer<typeof planProjectSchema>;

/** What `npm run seeds -- check --json` prints. */
export const seedPlanSchema = z.object({
  seeds_dir: z.string(),
  /** Null when errors stop seeding. */
  digest: z.string().nullable(),
  users: z.array(z.object({ id: z.string(), email: z.string(), is_admin: z.boolean() })),
  groups: z.array(z.object({ name: z.string(), members: count })),
  projects: z.array(planProjectSchema),
  totals: z.object({ projects: count, workflows: count, data_collections: count, dashboards: count, components: count, deltatables: count, multiqc: count }),
  /** Stop seeding (seeds depictio would reject), or components the audit would call errors. */
  errors: z.array(seedProblemSchema),
  warnings: z.array(seedProblemSchema),
});
export type SeedPlan = z.infer<typeof seedPlanSchema>;

/**
 * What seeding SEEDS_DIR would create, and every problem: the loader's (errors stop seeding), then
 * each shipped component checked against the DCs the seeding creates exactly as the audit will
 * check it once written (dc_id, wf_id, dc_config snapshot, columns, registrations). Components
 * are never rewritten: what the platform's single-DC rewriting would hide shows here.
 */
export async function seedPlan(dir: string, credentials: Credentials): Promise<SeedPlan> {
  const { bundle, details, problems } = await readSeeds(dir, credentials);
  const errors = [...problems.errors];
  const warnings = [...problems.warnings];
  const projects: PlanProject[] = [];

  // Built only when nothing stops seeding: components are checked against what would be written.
  const index = buildDcIndex(bundle?.projects.map((p) => p.project) ?? [], { deltatables: bundle?.projects.flatMap((p) => p.deltatables) ?? [] });
  const dashboardRefs = new Map<string, DashboardRef>();
  for (const d of details) {
    for (const { doc } of d.dashboards)
      dashboardRefs.set(doc._id.toHexString(), { title: doc.title, parentId: doc.parent_dashboard_id?.toHexString() ?? null });
  }
  const plots = new Map<string, Record<string, string[]>>();
  for (const p of bundle?.projects ?? []) for (const m of p.multiqc) plots.set(m.data_collection_id.toHexString(), m.metadata.plots);

  for (const detail of details) {
    const entry = bundle?.projects.find((p) => p.folder === detail.folder);
    const project = entry?.project;
    const dashboards: PlanDashboard[] = [];
    for (const { file, doc } of detail.dashboards) {
      const types: Record<string, number> = {};
      const tab: TabContext = {
        tabId: doc._id.toHexString(),
        tabTitle: doc.title,
        projectId: doc.project_id.toHexString(),
        owners: doc.permissions.owners.map((o) => ({ id: idHex(o._id), email: o.email, isAdmin: o.is_admin })),
        tabProblem: null,
        dashboards: dashboardRefs,
      };
      const indexes = new Set<string>();
      doc.stored_metadata.forEach((component, i) => {
        const field = `stored_metadata[${i}]`;
        const type = isObject(component) && typeof component.component_type === 'string' ? component.component_type : 'unknown';
        types[type] = (types[type] ?? 0) + 1;
        if (!isObject(component)) return;
        const key = typeof component.index === 'string' ? component.index : JSON.stringify(component.index);
        if (indexes.has(key)) warnings.push({ file, field: `${field}.index`, message: `index ${key} is used twice in this tab` });
        indexes.add(key);
        if (!project) return;
        const row = validateComponent(component, tab, index);
        const label = `${type} ${row.title ? `"${row.title}" ` : ''}(${key})`;
        const list = row.status === 'error' ? errors : warnings;
        for (const reason of row.reasons) list.push({ file, field, message: `${label}: ${reason}` });
        // MultiQC: the module and plot a component shows must be in the DC's report.
        const dcHex = idHex(component.dc_id);
        const modules = dcHex ? plots.get(dcHex) : undefined;
        if (modules && typeof component.selected_module === 'string' && !isMultiqcGeneralStats(component)) {
          const known = modules[component.selected_module];
          if (!known)
            warnings.push({
              file,
              field: `${field}.selected_module`,
              message: `${label}: module "${component.selected_module}" is not in the DC's MultiQC report`,
            });
          else if (typeof component.selected_plot === 'string' && !known.includes(component.selected_plot)) {
            warnings.push({
              file,
              field: `${field}.selected_plot`,
              message: `${label}: plot "${component.selected_plot}" is not a ${component.selected_module} plot of the DC`,
            });
          }
        }
      });
      dashboards.push({
        file,
        id: doc._id.toHexString(),
        title: doc.title,
        parent_id: doc.parent_dashboard_id?.toHexString() ?? null,
        tab_order: doc.tab_order ?? 0,
        components: doc.stored_metadata.length,
        component_types: types,
      });
    }
    const tagOf = (id: { toHexString(): string }) => detail.dcs.find((dc) => dc.doc._id.equals(id.toHexString()))?.doc.data_collection_tag ?? id.toHexString();
    projects.push({
      folder: detail.folder,
      id: project?._id.toHexString() ?? '',
      name: project?.name ?? detail.folder,
      digest: entry?.digest ?? null,
      workflows: (project?.workflows ?? []).map((wf) => ({
        id: wf._id.toHexString(),
        name: wf.name,
        workflow_tag: wf.workflow_tag,
        data_collections: wf.data_collections.map((dc) => {
          const info = detail.dcs.find((d) => d.doc._id.equals(dc._id));
          return {
            id: dc._id.toHexString(),
            tag: dc.data_collection_tag,
            type: dc.config.type,
            source: dc.config.source,
            columns: info?.columns.length ?? 0,
            columns_from: info?.columnsFrom ?? 'none',
          };
        }),
      })),
      dashboards,
      registrations: {
        deltatables: (entry?.deltatables ?? []).map((d) => tagOf(d.data_collection_id)),
        multiqc: (entry?.multiqc ?? []).map((m) => tagOf(m.data_collection_id)),
      },
    });
  }

  const sum = (f: (p: PlanProject) => number) => projects.reduce((n, p) => n + f(p), 0);
  return {
    seeds_dir: dir,
    digest: bundle?.digest ?? null,
    users: (bundle?.users ?? []).map((u) => ({ id: u._id.toHexString(), email: u.email, is_admin: u.is_admin })),
    groups: (bundle?.groups ?? []).map((g) => ({ name: g.name, members: g.users_ids.length })),
    projects,
    totals: {
      projects: projects.length,
      workflows: sum((p) => p.workflows.length),
      data_collections: sum((p) => p.workflows.reduce((n, w) => n + w.data_collections.length, 0)),
      dashboards: sum((p) => p.dashboards.length),
      components: sum((p) => p.dashboards.reduce((n, d) => n + d.components, 0)),
      deltatables: sum((p) => p.registrations.deltatables.length),
      multiqc: sum((p) => p.registrations.multiqc.length),
    },
    errors,
    warnings,
  };
}

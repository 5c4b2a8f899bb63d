import type { Db } from 'mongodb';
import { buildDcIndex, PROJECT_PROJECTION } from '../audit/dc-index';
import { DashboardNotFoundError, auditDatabase } from '../audit/run-audit';
import { PROJECTS } from '../db/collections';
import { RepairInputError } from './errors';
import { replacePlanParts } from './plan-replace';
import { suggestedPlanParts } from './plan-suggested';
import { repairRequestSchema, type RepairComponent, type RepairDashboard, type RepairPlan, type RepairRequest } from './schemas';
import { sameStored } from './stored-value';
import { storedValueText } from '../audit/suggestion-text';

const componentKey = (c: RepairComponent) => JSON.stringify([c.location.dashboard_id, c.location.position]);

/**
 * Puts the parts of several requests together: one entry per component, its edits side by side.
 * Two requests that would write one field differently are refused, not resolved by order.
 */
export function mergeDashboards(parts: RepairDashboard[]): RepairDashboard[] {
  const dashboards = new Map<string, { title: string; components: Map<string, RepairComponent> }>();
  for (const part of parts) {
    const key = part.dashboard_id.toLowerCase();
    const entry = dashboards.get(key) ?? { title: part.title, components: new Map<string, RepairComponent>() };
    dashboards.set(key, entry);
    for (const component of part.components) {
      const known = entry.components.get(componentKey(component));
      if (!known) {
        entry.components.set(componentKey(component), { ...component, edits: [...component.edits] });
        continue;
      }
      for (const edit of component.edits) {
        const same = known.edits.find((e) => e.field === edit.field);
        if (!same) known.edits.push(edit);
        else if (!sameStored(same.before, edit.before) || !sameStored(same.after, edit.after)) {
          throw new RepairInputError(
            `two requests change ${edit.field} of component ${storedValueText(component.location.index)} in "${component.tab_title}" differently ` +
              `(${storedValueText(same.after)} and ${storedValueText(edit.after)}): ask for one at a time`,
          );
        }
      }
    }
  }
  return [...dashboards]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, { title, components }]) => ({ dashboard_id: id, title, components: [...components.values()] }));
}

export function planCounts(dashboards: RepairDashboard[]): RepairPlan['counts'] {
  const components = dashboards.flatMap((d) => d.components);
  return { dashboards: dashboards.length, components: components.length, edits: components.reduce((n, c) => n + c.edits.length, 0) };
}

/**
 * The dry run: what a repair would change, computed from the database as it is now. Writes nothing.
 * Suggested fixes come from the audit; a bulk replace finds its components with one query.
 */
export async function buildRepairPlan(db: Db, rawRequest: RepairRequest, now = new Date()): Promise<RepairPlan> {
  const request = repairRequestSchema.parse(rawRequest);
  const parts: RepairDashboard[] = [];
  let unfixed: RepairPlan['unfixed'] = [];
  if (request.suggested) {
    const report = await auditDatabase(db, { dashboardId: request.dashboard_id }).catch((error: unknown) => {
      throw error instanceof DashboardNotFoundError ? new RepairInputError(error.message) : error;
    });
    const suggested = suggestedPlanParts(report, request.component_index);
    if (request.component_index !== undefined && suggested.dashboards.length === 0 && suggested.unfixed.length === 0) {
      throw new RepairInputError(`component ${request.component_index} of dashboard ${request.dashboard_id} has no finding to fix`);
    }
    parts.push(...suggested.dashboards);
    unfixed = suggested.unfixed;
  }
  if (request.replace.length > 0) {
    const projects = await db.collection(PROJECTS).find({}, { projection: PROJECT_PROJECTION }).toArray();
    const index = buildDcIndex(projects, { deltatables: [] });
    for (const replace of request.replace) parts.push(...(await replacePlanParts(db, replace, index, request.dashboard_id)));
  }
  const dashboards = mergeDashboards(parts);
  return {
    kind: 'repair-plan',
    database: db.databaseName,
    created_at: now.toISOString(),
    request: {
      dashboard_id: request.dashboard_id ?? null,
      component_index: request.component_index ?? null,
      replace: request.replace,
      suggested: request.suggested,
    },
    dashboards,
    unfixed,
    counts: planCounts(dashboards),
  };
}

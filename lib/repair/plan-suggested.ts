import type { AuditReport } from '../audit/types';
import type { RepairComponent, RepairDashboard, RepairPlan } from './schemas';

/**
 * The audit's suggested fixes as plan entries: every row whose suggestion has fixes (only the
 * component `componentIndex` names, when given), and apart the findings with no fix known.
 */
export function suggestedPlanParts(report: AuditReport, componentIndex?: string): Pick<RepairPlan, 'dashboards' | 'unfixed'> {
  const dashboards: RepairDashboard[] = [];
  const unfixed: RepairPlan['unfixed'] = [];
  for (const d of report.dashboards) {
    const components: RepairComponent[] = [];
    for (const row of d.components) {
      if (!row.suggestion || (componentIndex !== undefined && row.index !== componentIndex)) continue;
      if (row.suggestion.none) {
        unfixed.push({
          dashboard_id: d.id,
          tab_title: row.tab_title,
          component_type: row.component_type,
          title: row.title,
          index: row.index,
          looked_at: row.suggestion.looked_at,
        });
        continue;
      }
      components.push({
        location: row.suggestion.location,
        tab_title: row.tab_title,
        component_type: row.component_type,
        title: row.title,
        edits: row.suggestion.fixes.map(({ field, before, after, reason }) => ({ field, before, after, reason })),
      });
    }
    if (components.length > 0) dashboards.push({ dashboard_id: d.id, title: d.title, components });
  }
  return { dashboards, unfixed };
}

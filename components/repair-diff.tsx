'use client';

import type { ComponentOutcome, RepairComponent, RepairDashboard } from '@/lib/repair/schemas';
import { storedValueText } from '@/lib/audit/suggestion-text';
import { plural } from '@/lib/history/plural';
import { StatusBadge } from './ui/status-badge';
import { Cell, Row, Table } from './ui/table';

/** A plan's dashboard; once a run has tried its components, each with the run's `skipped` (null applied, else why not). */
export type DiffDashboard = Omit<RepairDashboard, 'components'> & {
  components: Array<RepairComponent & Partial<Pick<ComponentOutcome, 'skipped'>>>;
};

/** A repair's diff: per dashboard, per component, each field's before → after (and, after a run, what became of it). */
export function RepairDiff({ dashboards, verb = 'Applied' }: { dashboards: DiffDashboard[]; verb?: string }) {
  const ran = dashboards.some((d) => d.components.some((c) => c.skipped !== undefined));
  return (
    <div className="space-y-4">
      {dashboards.map((d) => (
        <section key={d.dashboard_id} aria-label={`Changes to dashboard ${d.title}`} data-dashboard={d.dashboard_id}>
          <h3 className="mb-1 text-sm font-semibold">
            {d.title} <span className="font-mono text-xs font-normal text-zinc-600 dark:text-zinc-400">{d.dashboard_id}</span> ·{' '}
            <span className="font-normal">{plural(d.components.length, 'component')}</span>
          </h3>
          <Table caption={`Changes to dashboard ${d.title}`} columns={['Component', 'Field', 'Before → after', 'Reason', ...(ran ? ['Result'] : [])]}>
            {d.components.flatMap((c) =>
              c.edits.map((e, i) => (
                <Row key={`${storedValueText(c.location.dashboard_id)}-${c.location.position}-${e.field}`}>
                  <Cell className="text-xs">
                    {i === 0 && (
                      <>
                        {c.tab_title} · {c.component_type}
                        {c.title ? ` “${c.title}”` : ''} <span className="text-zinc-600 dark:text-zinc-400">#{c.location.position}</span>
                      </>
                    )}
                  </Cell>
                  <Cell className="font-mono text-xs">{e.field}</Cell>
                  <Cell className="font-mono text-xs whitespace-nowrap">
                    <del className="block text-red-800 dark:text-red-300">{storedValueText(e.before)}</del>
                    <ins className="block text-green-800 no-underline dark:text-green-300">→ {storedValueText(e.after)}</ins>
                  </Cell>
                  <Cell className="text-xs">{e.reason}</Cell>
                  {ran && (
                    <Cell className="text-xs">
                      {i === 0 &&
                        (c.skipped === null ? (
                          <StatusBadge status="valid" label={verb} />
                        ) : (
                          <>
                            <StatusBadge status="warning" label="Skipped" /> {c.skipped?.replace(/^skipped: /, '')}
                          </>
                        ))}
                    </Cell>
                  )}
                </Row>
              )),
            )}
          </Table>
        </section>
      ))}
    </div>
  );
}

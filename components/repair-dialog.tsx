'use client';

import Link from 'next/link';
import { useEffect, useId, useRef, useState, useTransition } from 'react';
import { applyRepairAction } from '@/app/_actions/repair-apply';
import type { Refusal } from '@/lib/auth/action-guard';
import { plural } from '@/lib/history/plural';
import type { RepairOutcome, RepairPlan } from '@/lib/repair/schemas';
import { RepairDiff, type DiffDashboard } from './repair-diff';
import { Button } from './ui/button';
import { RefusalBanner } from './ui/refusal-banner';

/**
 * An outcome's components back under their dashboards, for the diff with results. An undo's
 * changes read the other way round: it wrote each edit's before value where its after value was.
 */
export function outcomeDashboards(outcome: RepairOutcome): DiffDashboard[] {
  const byDashboard = new Map<string, DiffDashboard>(outcome.dashboards.map((d) => [d.dashboard_id, { ...d, components: [] }]));
  for (const c of outcome.components) {
    const entry = byDashboard.get(c.dashboard_id) ?? { dashboard_id: c.dashboard_id, title: c.dashboard_id, components: [] };
    const edits = outcome.kind === 'repair' ? c.edits : c.edits.map((e) => ({ ...e, before: e.after, after: e.before, reason: `undo of: ${e.reason}` }));
    entry.components.push({ ...c, edits });
    byDashboard.set(c.dashboard_id, entry);
  }
  return [...byDashboard.values()].filter((d) => d.components.length > 0);
}

export function outcomeSummary(outcome: RepairOutcome): string {
  const n = outcome.counts;
  const verb = outcome.kind === 'repair' ? 'applied' : 'restored';
  return `${outcome.kind === 'repair' ? 'Repair' : 'Undo of repair'} ${outcome.run_id}: ${verb} ${plural(n.applied, 'component')}${
    n.skipped > 0 ? `, skipped ${n.skipped} changed meanwhile (not overwritten)` : ''
  }.`;
}

/**
 * The dry-run diff of a plan, and its one "Apply" button: nothing is written before the admin has
 * seen every change. After the run it shows, per component, what was applied and what was skipped.
 */
export function RepairDialog({ plan, onClose, onApplied }: { plan: RepairPlan | null; onClose: () => void; onApplied: (outcome: RepairOutcome) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [outcome, setOutcome] = useState<RepairOutcome | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [pending, startTransition] = useTransition();

  useEffect(() => {
    if (!plan) return;
    setOutcome(null);
    setRefusal(null);
    if (!dialog.current?.open) dialog.current?.showModal();
  }, [plan]);

  const close = () => {
    dialog.current?.close();
  };
  const apply = () => {
    if (!plan || pending) return;
    startTransition(async () => {
      const result = await applyRepairAction({ plan });
      if (result.ok) {
        setOutcome(result.outcome);
        onApplied(result.outcome);
      } else setRefusal(result);
    });
  };
  const c = plan?.counts;

  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-labelledby={titleId}
      className="m-auto w-[min(64rem,calc(100vw-2rem))] rounded-lg border border-zinc-300 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {plan && c && (
        <div className="space-y-4 p-5">
          <h2 id={titleId} className="text-lg font-semibold">
            {outcome ? 'Repair applied' : 'Repair: review the changes'}
          </h2>
          <p className="text-sm" role="status">
            {outcome
              ? outcomeSummary(outcome)
              : c.edits === 0
                ? 'Nothing to change: no component matches.'
                : `${plural(c.edits, 'change')} in ${plural(c.components, 'component')} of ${plural(c.dashboards, 'dashboard')}. ` +
                  'Each component is written only if it still holds the value shown before the arrow; one edited meanwhile is skipped and reported.'}
          </p>
          {outcome && (
            <p className="text-sm">
              History:{' '}
              <Link className="font-mono underline" href={`/workers?run=${encodeURIComponent(outcome.run_id)}`}>
                {outcome.run_id}
              </Link>
            </p>
          )}
          <div className="max-h-[60vh] overflow-y-auto">
            <RepairDiff dashboards={outcome ? outcomeDashboards(outcome) : plan.dashboards} />
            {!outcome && plan.unfixed.length > 0 && (
              <section aria-label="Findings with no fix known" className="mt-4 text-sm">
                <h3 className="mb-1 font-semibold">No fix known ({plan.unfixed.length})</h3>
                <ul className="list-disc space-y-0.5 pl-4 text-xs">
                  {plan.unfixed.map((u) => (
                    <li key={`${u.dashboard_id}-${u.tab_title}-${u.index}`}>
                      {u.tab_title} · {u.component_type}
                      {u.title ? ` “${u.title}”` : ''}: looked at {u.looked_at.join('; ')}
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </div>
          {refusal && <RefusalBanner refusal={refusal} />}
          <div className="flex justify-end gap-2">
            <Button onClick={close}>{outcome ? 'Close' : 'Cancel'}</Button>
            {!outcome && (
              <Button variant="primary" disabled={pending || c.edits === 0} onClick={apply}>
                {pending ? 'Applying…' : `Apply ${plural(c.edits, 'change')}`}
              </Button>
            )}
          </div>
        </div>
      )}
    </dialog>
  );
}

'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useState, useTransition } from 'react';
import { planRepairAction } from '@/app/_actions/repair-plan';
import { undoRepairAction } from '@/app/_actions/repair-undo';
import type { Refusal } from '@/lib/auth/action-guard';
import type { LastRepair, RepairOutcome, RepairPlan, RepairRequest } from '@/lib/repair/schemas';
import { auditKeys } from './queries';
import { RepairDialog, outcomeDashboards, outcomeSummary } from './repair-dialog';
import { RepairDiff } from './repair-diff';
import { Button, inputClass } from './ui/button';
import { Card } from './ui/card';
import { RefusalBanner } from './ui/refusal-banner';

/**
 * An admin's repair controls on a dashboard's page: "Apply all suggested…", a bulk replace (this
 * dashboard or every dashboard), and the undo of the last repair. Every change goes through the
 * diff dialog first; after a run the audit is fetched again, so the table shows the new status.
 */
export function RepairControls({
  dashboardId,
  suggested,
  ids,
  lastRepair,
}: {
  dashboardId: string;
  /** How many components of this dashboard have a suggested fix. */
  suggested: number;
  /** The dc_ids and wf_ids on this dashboard, offered in the "replace" field. */
  ids: string[];
  lastRepair: LastRepair | null;
}) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const formId = useId();
  const [plan, setPlan] = useState<RepairPlan | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [last, setLast] = useState<LastRepair | null>(lastRepair);
  const [undone, setUndone] = useState<RepairOutcome | null>(null);
  const [confirmUndo, setConfirmUndo] = useState(false);
  const [field, setField] = useState<'dc_id' | 'wf_id'>('dc_id');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [everywhere, setEverywhere] = useState(true);
  const [pending, startTransition] = useTransition();
  // A repair made from a row's "Fix…" reaches this control through the page's refresh.
  useEffect(() => setLast(lastRepair), [lastRepair]);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: auditKeys.all });
    router.refresh();
  };
  const preview = (request: RepairRequest) =>
    startTransition(async () => {
      setRefusal(null);
      const result = await planRepairAction(request);
      if (result.ok) setPlan(result.plan);
      else setRefusal(result);
    });
  const applied = (outcome: RepairOutcome) => {
    refresh();
    setUndone(null);
    if (outcome.counts.applied > 0)
      setLast({ run_id: outcome.run_id, at: new Date().toISOString(), by: outcome.by, applied: outcome.counts.applied, undone: false });
  };
  const undo = () =>
    startTransition(async () => {
      if (!last) return;
      setRefusal(null);
      const result = await undoRepairAction({ run_id: last.run_id });
      setConfirmUndo(false);
      if (!result.ok) return setRefusal(result);
      setUndone(result.outcome);
      setLast({ ...last, undone: true });
      refresh();
    });

  return (
    <Card title="Repair" id="repair-controls">
      <div className="space-y-4">
        <div className="flex flex-wrap items-center gap-3">
          <Button variant="primary" disabled={pending || suggested === 0} onClick={() => preview({ dashboard_id: dashboardId, suggested: true })}>
            Apply all suggested… ({suggested})
          </Button>
          {last && !last.undone && (
            <>
              {confirmUndo ? (
                <span className="inline-flex flex-wrap items-center gap-2 text-sm" role="group" aria-label="Confirm the undo">
                  Restore what repair <span className="font-mono">{last.run_id}</span> changed ({last.applied} components), where nothing changed since?
                  <Button variant="danger" disabled={pending} onClick={undo}>
                    Confirm undo
                  </Button>
                  <Button onClick={() => setConfirmUndo(false)}>Keep it</Button>
                </span>
              ) : (
                <Button variant="danger-outline" disabled={pending} onClick={() => setConfirmUndo(true)}>
                  Undo last repair…
                </Button>
              )}
            </>
          )}
          {last && (
            <span className="text-xs text-zinc-600 dark:text-zinc-400">
              Last repair{' '}
              <Link className="font-mono underline" href={`/workers?run=${encodeURIComponent(last.run_id)}`}>
                {last.run_id}
              </Link>{' '}
              by {last.by}
              {last.undone ? ' (undone)' : ''}
            </span>
          )}
        </div>
        <form
          className="flex flex-wrap items-end gap-3"
          aria-label="Bulk replace"
          onSubmit={(event) => {
            event.preventDefault();
            preview({ replace: [{ field, from, to }], ...(everywhere ? {} : { dashboard_id: dashboardId }) });
          }}
        >
          <div>
            <label htmlFor={`${formId}-field`} className="mb-1 block text-sm font-medium">
              Replace
            </label>
            <select id={`${formId}-field`} className={inputClass} value={field} onChange={(e) => setField(e.target.value as 'dc_id' | 'wf_id')}>
              <option value="dc_id">dc_id</option>
              <option value="wf_id">wf_id</option>
            </select>
          </div>
          <div className="min-w-56 flex-1">
            <label htmlFor={`${formId}-from`} className="mb-1 block text-sm font-medium">
              Old id
            </label>
            <input
              id={`${formId}-from`}
              list={`${formId}-ids`}
              className={`${inputClass} font-mono`}
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              required
              spellCheck={false}
              autoComplete="off"
            />
            <datalist id={`${formId}-ids`}>
              {ids.map((id) => (
                <option key={id} value={id} />
              ))}
            </datalist>
          </div>
          <div className="min-w-56 flex-1">
            <label htmlFor={`${formId}-to`} className="mb-1 block text-sm font-medium">
              New id
            </label>
            <input
              id={`${formId}-to`}
              className={`${inputClass} font-mono`}
              value={to}
              onChange={(e) => setTo(e.target.value)}
              required
              spellCheck={false}
              autoComplete="off"
            />
          </div>
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" className="focus-ring size-4" checked={everywhere} onChange={(e) => setEverywhere(e.target.checked)} />
            In every dashboard
          </label>
          <Button type="submit" disabled={pending}>
            Preview replace…
          </Button>
        </form>
        {refusal && <RefusalBanner refusal={refusal} />}
        {undone && (
          <div className="space-y-2">
            <p className="text-sm" role="status">
              {outcomeSummary(undone)}
            </p>
            <RepairDiff dashboards={outcomeDashboards(undone)} verb="Restored" />
          </div>
        )}
      </div>
      <RepairDialog plan={plan} onClose={() => setPlan(null)} onApplied={applied} />
    </Card>
  );
}

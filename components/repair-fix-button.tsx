'use client';

import { useState, useTransition } from 'react';
import { planRepairAction } from '@/app/_actions/repair-plan';
import type { Refusal } from '@/lib/auth/action-guard';
import type { ComponentRow } from '@/lib/audit/types';
import type { RepairPlan } from '@/lib/repair/schemas';
import { Button } from './ui/button';

/**
 * A row's "Fix…": plans the suggested fixes of this one component and hands the plan to the
 * page's diff dialog. The dialog is the page's, not the row's: once applied, the audit comes back
 * without this row's suggestion (or, with "problems only", without the row), and the outcome must
 * stay on screen until the admin closes it.
 */
export function RepairFixButton({ dashboardId, row, onPlan }: { dashboardId: string; row: ComponentRow; onPlan: (plan: RepairPlan) => void }) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [pending, startTransition] = useTransition();
  if (!row.suggestion || row.suggestion.none) return null;
  const open = () =>
    startTransition(async () => {
      const result = await planRepairAction({ dashboard_id: dashboardId, component_index: row.index, suggested: true });
      setRefusal(result.ok ? null : result);
      if (result.ok) onPlan(result.plan);
    });
  return (
    <>
      <Button disabled={pending} onClick={open} aria-label={`Fix ${row.component_type} ${row.title ?? row.index}…`}>
        Fix…
      </Button>
      {refusal && <p className="mt-1 text-xs text-red-800 dark:text-red-200">{refusal.error}</p>}
    </>
  );
}

'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { planRepairAction } from '@/app/_actions/repair-plan';
import type { Refusal } from '@/lib/auth/action-guard';
import type { ComponentRow } from '@/lib/audit/types';
import type { RepairPlan } from '@/lib/repair/schemas';
import { RepairDialog } from './repair-dialog';
import { Button } from './ui/button';

/** A row's "Fix…": the suggested fixes of this one component, through the same diff dialog. */
export function RepairFixButton({ dashboardId, row }: { dashboardId: string; row: ComponentRow }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const [plan, setPlan] = useState<RepairPlan | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [pending, startTransition] = useTransition();
  const fixable = Boolean(row.suggestion && !row.suggestion.none);
  // Once applied, the audit comes back without this row's suggestion: the dialog showing the
  // outcome stays until it is closed, only the button goes.
  if (!fixable && plan === null) return null;
  const open = () =>
    startTransition(async () => {
      const result = await planRepairAction({ dashboard_id: dashboardId, component_index: row.index, suggested: true });
      setRefusal(result.ok ? null : result);
      if (result.ok) setPlan(result.plan);
    });
  return (
    <>
      {fixable && (
        <Button disabled={pending} onClick={open} aria-label={`Fix ${row.component_type} ${row.title ?? row.index}…`}>
          Fix…
        </Button>
      )}
      {refusal && <p className="mt-1 text-xs text-red-800 dark:text-red-200">{refusal.error}</p>}
      <RepairDialog
        plan={plan}
        onClose={() => setPlan(null)}
        onApplied={() => {
          void queryClient.invalidateQueries({ queryKey: ['audit'] });
          // The page's "undo last repair" comes from the server.
          router.refresh();
        }}
      />
    </>
  );
}

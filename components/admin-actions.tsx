'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRef, useState, useTransition } from 'react';
import { reseedAction } from '@/app/_actions/reseed';
import { reseedPlanAction } from '@/app/_actions/reseed-plan';
import { seedMissingAction } from '@/app/_actions/seed-missing';
import type { ReseedPlan } from '@/lib/admin/schemas';
import type { ActionResult, Refusal } from '@/lib/auth/action-guard';
import type { OverviewView } from '@/lib/console/views';
import { PRESERVED_COLLECTIONS } from '@/lib/db/collections';
import { CollectionTable } from './collection-table';
import { ReseedPlanTable } from './reseed-plan-table';
import { Button, inputClass } from './ui/button';
import { RefusalBanner } from './ui/refusal-banner';

/** What starting a run answers: the actions' own result type. */
type RunStartResult = Awaited<ReturnType<typeof reseedAction | typeof seedMissingAction>>;

/**
 * The admin's controls on the overview: "Reseed…" (destructive, behind a dialog that says what
 * will be wiped and asks for the database name) and "Seed missing" (writes only what is absent).
 * The run starts in the background; its progress shows on the page through polling.
 */
export function AdminActions({
  collections,
  databaseName,
  seenState,
}: {
  collections: OverviewView['collections'];
  databaseName: string;
  /** The state on screen (seenStateKey): requests made from the same state are one run. */
  seenState: string;
}) {
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<{ kind: 'Reseed' | 'Seed missing'; result: RunStartResult } | null>(null);
  const [seeding, startSeeding] = useTransition();

  const started = (kind: 'Reseed' | 'Seed missing', result: RunStartResult) => {
    setOutcome({ kind, result });
    // Poll now rather than at the next tick: the run is already in the history.
    void queryClient.invalidateQueries();
  };

  return (
    <section aria-labelledby="admin-actions-title" className="rounded-lg border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="admin-actions-title" className="mr-auto text-base font-semibold">
          Admin actions
        </h2>
        <Button
          disabled={seeding}
          onClick={() =>
            startSeeding(async () => {
              started('Seed missing', await seedMissingAction({ seen_state: seenState }));
            })
          }
        >
          Seed missing
        </Button>
        <ReseedDialog collections={collections} databaseName={databaseName} seenState={seenState} onStarted={(result) => started('Reseed', result)} />
      </div>
      <div role="status" className="mt-3 empty:mt-0">
        {outcome?.result.ok && (
          <p className="text-sm">
            {outcome.kind} {outcome.result.already_started ? 'was already asked for from this state, by' : 'started'}: run{' '}
            <Link className="font-mono underline" href={`/workers?run=${encodeURIComponent(outcome.result.run_id)}`}>
              {outcome.result.run_id}
            </Link>
            . Its progress shows on this page as it happens.
          </p>
        )}
      </div>
      {outcome && !outcome.result.ok && (
        <div className="mt-3">
          <RefusalBanner refusal={outcome.result} />
        </div>
      )}
    </section>
  );
}

function ReseedDialog({
  collections,
  databaseName,
  seenState,
  onStarted,
}: {
  collections: OverviewView['collections'];
  databaseName: string;
  seenState: string;
  onStarted: (result: RunStartResult) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // The state when the dialog opened: submitting twice is one run.
  const [fromState, setFromState] = useState(seenState);
  const [typed, setTyped] = useState('');
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [pending, startTransition] = useTransition();
  const [plan, setPlan] = useState<ActionResult<{ plan: ReseedPlan }> | null>(null);
  const [planning, startPlanning] = useTransition();
  const wiped = collections.filter((c) => !PRESERVED_COLLECTIONS.includes(c.name));
  const total = wiped.reduce((n, c) => n + c.count, 0);
  const confirmed = typed === databaseName;

  const open = () => {
    setFromState(seenState);
    setTyped('');
    setRefusal(null);
    setPlan(null);
    dialog.current?.showModal();
    startPlanning(async () => setPlan(await reseedPlanAction({ scope: 'all' })));
  };
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!confirmed || pending) return;
    startTransition(async () => {
      // The same state however often this is submitted, on whichever instance: one run.
      const result = await reseedAction({ seen_state: fromState, confirm_database: typed });
      if (result.ok) {
        dialog.current?.close();
        onStarted(result);
      } else {
        setRefusal(result);
      }
    });
  };

  return (
    <>
      <Button variant="danger-outline" onClick={open} aria-haspopup="dialog">
        Reseed…
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby="reseed-title"
        aria-describedby="reseed-description"
        className="m-auto w-[min(36rem,calc(100vw-2rem))] rounded-lg border-2 border-red-600 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/50 dark:border-red-500 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <form onSubmit={submit} className="space-y-4 p-5">
          <h2 id="reseed-title" className="text-lg font-semibold text-red-800 dark:text-red-200">
            Reseed {databaseName}: wipe, then seed
          </h2>
          <div id="reseed-description" className="space-y-2 text-sm">
            <p>
              This deletes <strong>every document</strong> in {wiped.length === 1 ? 'this collection' : `these ${wiped.length} collections`} of{' '}
              <strong>{databaseName}</strong> ({total} documents now), then writes the seed files again, as a new generation under the workers&apos; lock.
            </p>
            <p className="font-semibold">
              It deletes every user dashboard and every user account: whatever users made or changed since the last seeding is gone, for good.
            </p>
            <p>
              Kept: {PRESERVED_COLLECTIONS.join(', ')} (the lock, the state, the history, the sign-in counters). Nobody is signed out. If a run holds the lock,
              nothing starts.
            </p>
          </div>
          {wiped.length > 0 ? (
            <CollectionTable collections={wiped} caption="Collections that will be wiped, with their documents now" showHeader />
          ) : (
            <p className="text-sm">No collection holds seeded data yet: nothing is wiped, everything is seeded.</p>
          )}
          {planning && !plan && <p className="text-sm">Reading the seed plan…</p>}
          {plan && !plan.ok && <RefusalBanner refusal={plan} />}
          {plan?.ok && <ReseedPlanTable plan={plan.plan} caption="The seed plan: what the reseed deletes, writes and keeps, per collection" />}
          <div>
            <label htmlFor="reseed-confirm" className="mb-1 block text-sm font-medium">
              Type the database name, <span className="font-mono">{databaseName}</span>, to confirm
            </label>
            <input
              id="reseed-confirm"
              name="confirm_database"
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              className={`${inputClass} font-mono`}
            />
          </div>
          {refusal && <RefusalBanner refusal={refusal} />}
          <div className="flex justify-end gap-2">
            <Button onClick={() => dialog.current?.close()}>Cancel</Button>
            <Button type="submit" variant="danger" disabled={!confirmed || pending}>
              {pending ? 'Starting…' : 'Wipe and reseed'}
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}

'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState, useTransition } from 'react';
import { reseedPlanAction } from '@/app/_actions/reseed-plan';
import { reseedProjectAction } from '@/app/_actions/reseed-project';
import type { ReseedPlan } from '@/lib/admin/schemas';
import type { ActionResult } from '@/lib/auth/action-guard';
import type { RunView } from '@/lib/console/views';
import { EventLabel } from './event-icon';
import { usePollSettings } from './providers';
import { runsQuery } from './queries';
import { ReseedPlanTable } from './reseed-plan-table';
import { Button, inputClass } from './ui/button';
import { RefusalBanner } from './ui/refusal-banner';
import { StatusBadge } from './ui/status-badge';

/** What starting the run answers (the action's own result type), and its answer when it started. */
type RunStartResult = Awaited<ReturnType<typeof reseedProjectAction>>;
type RunStarted = Extract<RunStartResult, { ok: true }>;

type Target = { id: string; name: string };

/** The id of a project's Reseed button: the dialog gives the focus back to it, even if the card was drawn again meanwhile. */
const buttonId = (projectId: string) => `reseed-project-button-${projectId}`;

/** A seeded project's "Reseed…" button, for admins: it asks the page to open the dialog for that project. */
export function ReseedProjectButton({ project, onOpen }: { project: Target; onOpen: () => void }) {
  return (
    <Button id={buttonId(project.id)} variant="danger-outline" onClick={onOpen} aria-haspopup="dialog" aria-label={`Reseed project ${project.name}…`}>
      Reseed…
    </Button>
  );
}

/**
 * An admin's reseed of one project, open while mounted: it fetches the plan (what the run deletes,
 * writes and keeps), and starts only once the project's name is typed exactly. The run is asked for
 * from the state the plan was computed from, so a second click is the same run; its progress and
 * verdict show here as the history records them. Mounted by the page rather than inside the
 * project's card: the reseed deletes the project for a moment, and its card with it.
 */
export function ReseedProjectDialog({ project, onClosed }: { project: Target; onClosed: () => void }) {
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [plan, setPlan] = useState<ActionResult<{ plan: ReseedPlan }> | null>(null);
  const [planning, startPlanning] = useTransition();
  const [typed, setTyped] = useState('');
  const [outcome, setOutcome] = useState<RunStartResult | null>(null);
  const [pending, startTransition] = useTransition();
  const ready = plan?.ok ? plan.plan : null;
  // The name as the seed folder ships it: that is what gets written again.
  const name = ready?.project?.name ?? project.name;
  const started = outcome?.ok ? outcome : null;
  const confirmed = ready !== null && typed === name;
  const ids = `reseed-project-${project.id}`;

  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
    field.current?.focus();
    startPlanning(async () => setPlan(await reseedPlanAction({ scope: 'project', project_id: project.id })));
  }, [project.id]);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!ready || !confirmed || pending || started) return;
    startTransition(async () => {
      const result = await reseedProjectAction({ seen_state: ready.seen_state, project_id: project.id, confirm_project: typed });
      setOutcome(result);
      // Poll now rather than at the next tick: the run is already in the history.
      if (result.ok) void queryClient.invalidateQueries();
    });
  };

  return (
    <dialog
      ref={dialog}
      aria-labelledby={`${ids}-title`}
      aria-describedby={`${ids}-description`}
      // Escape closes it too; the focus goes back to the project's Reseed button.
      onClose={() => {
        onClosed();
        document.getElementById(buttonId(project.id))?.focus();
      }}
      className="m-auto w-[min(40rem,calc(100vw-2rem))] rounded-lg border-2 border-red-600 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/50 dark:border-red-500 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <form onSubmit={submit} className="space-y-4 p-5">
        <h2 id={`${ids}-title`} className="text-lg font-semibold text-red-800 dark:text-red-200">
          Reseed project {name}
        </h2>
        <p id={`${ids}-description`} className="text-sm">
          Deletes this project&apos;s seeded documents{ready?.project ? ` (from ${ready.project.folder})` : ''} and writes them again from its seed folder, as a
          new run under the workers&apos; lock. Users, other projects and dashboards the seeds do not ship stay. If a run holds the lock, nothing starts.
        </p>
        {planning && !plan && <p className="text-sm">Reading the plan…</p>}
        {plan && !plan.ok && <RefusalBanner refusal={plan} />}
        {ready && <ReseedPlanTable plan={ready} caption={`What reseeding ${name} does, per collection, counted now`} />}
        <div>
          <label htmlFor={`${ids}-confirm`} className="mb-1 block text-sm font-medium">
            Type the project&apos;s name, <span className="font-mono">{name}</span>, to confirm
          </label>
          <input
            ref={field}
            id={`${ids}-confirm`}
            name="confirm_project"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            readOnly={Boolean(started)}
            onChange={(e) => setTyped(e.target.value)}
            className={`${inputClass} font-mono`}
          />
        </div>
        {outcome && !outcome.ok && <RefusalBanner refusal={outcome} />}
        {started && <RunProgress run={started} />}
        <div className="flex items-center justify-end gap-2">
          {pending && <p className="mr-auto text-sm">Starting…</p>}
          <Button onClick={() => dialog.current?.close()}>{started ? 'Close' : 'Cancel'}</Button>
          {/*
            Same label and place throughout, disabled once asked: a double click's second click lands
            on it again, never on a button that moved under the pointer.
          */}
          <Button type="submit" variant="danger" disabled={!confirmed || pending || Boolean(started)} aria-busy={pending} className="select-none">
            Reseed {name}
          </Button>
        </div>
      </form>
    </dialog>
  );
}

/** The run is over when every worker of it has its final event (RunView.unfinished is false). */
const isFinal = (run: RunView | undefined) => run !== undefined && !run.unfinished;

/** A started run as its history shows it, polled until its verdict is in. */
function RunProgress({ run }: { run: RunStarted }) {
  const { activePollMs } = usePollSettings();
  const { data, error } = useQuery({
    ...runsQuery({ run: run.run_id }),
    refetchInterval: (query) => (isFinal(query.state.data?.runs.find((r) => r.run_id === run.run_id)) ? false : activePollMs),
  });
  const view = data?.runs.find((r) => r.run_id === run.run_id);
  const workerEvents = view?.events.filter((e) => e.event !== 'admin-action') ?? [];
  const final = isFinal(view);
  return (
    <section aria-label="Progress of the run" className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
      <p role="status">
        {run.already_started ? 'Already asked for from this state: run ' : 'Started run '}
        <Link className="font-mono underline" href={`/workers?run=${encodeURIComponent(run.run_id)}`}>
          {run.run_id}
        </Link>
        {final ? ': finished.' : `: in progress${workerEvents.at(-1) ? `, last event ${workerEvents.at(-1)!.event}` : ''}…`}
      </p>
      {workerEvents.length > 0 && (
        <ol aria-label="Events of the run so far" className="flex flex-wrap gap-x-3 gap-y-1">
          {workerEvents.map((e) => (
            <li key={e.id}>
              <EventLabel event={e.event} />
            </li>
          ))}
        </ol>
      )}
      {final && view && (
        <div>
          <p className="mb-1 flex items-center gap-2 font-medium">
            Verdict <StatusBadge status={view.pass ? 'pass' : 'fail'} />
          </p>
          <ul aria-label="Verdict" className="list-disc pl-5">
            {view.findings.map((finding) => (
              <li key={finding}>{finding}</li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <p role="alert" className="text-red-800 dark:text-red-200">
          The run&apos;s progress cannot be read right now: {error.message}
        </p>
      )}
    </section>
  );
}

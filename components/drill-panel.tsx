'use client';

import { useState, useTransition, type FormEvent } from 'react';
import { startDrillAction } from '@/app/_actions/start-drill';
import type { Refusal } from '@/lib/auth/action-guard';
import { DRILL_ALGORITHMS } from '@/lib/drill/algorithms';
import { drillQuery } from './drill-query';
import { DrillResults } from './drill-results';
import { useLive } from './live-query';
import { Button, inputClass } from './ui/button';
import { RefusalBanner } from './ui/refusal-banner';
import { Card } from './ui/card';
import { UnreachableBanner } from './unreachable-banner';

const DESCRIPTIONS: Record<(typeof DRILL_ALGORITHMS)[number], string> = {
  unsafe: 'every worker clears the lock before taking it (before the incident fix)',
  'copy-drop-restore': "the incident's fix: copy the lock, drop the database, re-insert the copy",
  lease: 'ours: one atomic upsert, fencing token, no window',
};

/**
 * The race drill: the incident replayed on scratch databases with the old algorithms and ours,
 * their verification tables side by side as they fill in.
 */
export function DrillPanel({ serverError }: { serverError: string | null }) {
  // The latest drill (as the server prefetched it) until this page starts one, or another console's wins the lease.
  const [jobId, setJobId] = useState<string | null>(null);
  const { data, error } = useLive(drillQuery(jobId));
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [pending, startTransition] = useTransition();
  const running = data?.job?.status === 'running';

  function start(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      algorithms: form.getAll('algorithms').map(String),
      workers: form.get('workers'),
      late: form.get('late'),
      lateAfterMs: form.get('lateAfterMs'),
      windowMs: form.get('windowMs'),
    };
    startTransition(async () => {
      const result = await startDrillAction(input);
      if (result.ok) {
        setRefusal(null);
        setJobId(result.job_id);
      } else {
        setRefusal(result);
        // Another drill holds the lease (perhaps on another console): show that one.
        if (result.code === 'conflict') setJobId(null);
      }
    });
  }

  return (
    <div className="space-y-4">
      <UnreachableBanner error={error?.message ?? (!data ? serverError : null)} />
      <Card title="Run a drill">
        <form onSubmit={start} className="space-y-4" aria-describedby="drill-help">
          <p id="drill-help" className="text-sm text-zinc-600 dark:text-zinc-400">
            Each algorithm runs on a scratch database of its own (named drill_…, dropped afterwards): N worker processes start together, the late starters after
            a delay, all with wipe on and the same generation. The platform&apos;s database is never touched.
          </p>
          <fieldset>
            <legend className="text-sm font-medium">Algorithms</legend>
            <div className="mt-1 space-y-1">
              {DRILL_ALGORITHMS.map((a) => (
                <label key={a} className="flex items-start gap-2 text-sm">
                  <input type="checkbox" name="algorithms" value={a} defaultChecked className="mt-0.5 size-4" />
                  <span>
                    <span className="font-medium">{a}</span> — {DESCRIPTIONS[a]}
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <div className="grid gap-3 sm:grid-cols-4">
            {(
              [
                ['workers', 'Workers', 8, 1, 32],
                ['late', 'Late starters', 2, 0, 16],
                ['lateAfterMs', 'Late after (ms)', 100, 0, 60_000],
                ['windowMs', 'Drop window (ms, copy-drop-restore)', 200, 0, 10_000],
              ] as const
            ).map(([name, label, value, min, max]) => (
              <label key={name} className="text-sm">
                {label}
                <input type="number" name={name} defaultValue={value} min={min} max={max} required className={`${inputClass} mt-1 w-full`} />
              </label>
            ))}
          </div>
          <Button type="submit" disabled={pending || running}>
            {running ? 'A drill is running…' : pending ? 'Starting…' : 'Run the drill'}
          </Button>
          {refusal && <RefusalBanner refusal={refusal} />}
        </form>
      </Card>
      <section aria-labelledby="drill-results-heading" className="space-y-2">
        <h2 id="drill-results-heading" className="text-lg font-semibold">
          Results
        </h2>
        {data?.job ? <DrillResults job={data.job} /> : <p className="text-sm">No drill has run yet.</p>}
      </section>
    </div>
  );
}

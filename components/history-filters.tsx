'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { queryString } from '@/lib/console/urls';
import { HISTORY_EVENTS } from '@/lib/schemas/history-events';

/** datetime-local inputs speak the viewer's local time; the URL carries ISO times. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

const fieldClass = 'focus-ring mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';

export function HistoryFilters({ runs, workers }: { runs: string[]; workers: string[] }) {
  const router = useRouter();
  const params = useSearchParams();
  const [values, setValues] = useState({
    run: params.get('run') ?? '',
    worker: params.get('worker') ?? '',
    event: params.get('event') ?? '',
    from: toLocalInput(params.get('from')),
    to: toLocalInput(params.get('to')),
  });
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));

  function apply(event: FormEvent) {
    event.preventDefault();
    const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
    // New filters start again from the newest run and event.
    router.replace(`?${queryString({ run: values.run, worker: values.worker, event: values.event, from: iso(values.from), to: iso(values.to) })}`, {
      scroll: false,
    });
  }
  function clear() {
    setValues({ run: '', worker: '', event: '', from: '', to: '' });
    router.replace('?', { scroll: false });
  }

  return (
    <form onSubmit={apply} aria-label="Filter the history" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6">
      <label className="text-sm lg:col-span-2">
        Run
        <select className={fieldClass} value={values.run} onChange={set('run')}>
          <option value="">All runs</option>
          {values.run && !runs.includes(values.run) && <option value={values.run}>{values.run}</option>}
          {runs.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        Worker
        <select className={fieldClass} value={values.worker} onChange={set('worker')}>
          <option value="">All workers</option>
          {values.worker && !workers.includes(values.worker) && <option value={values.worker}>{values.worker}</option>}
          {workers.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        Event
        <select className={fieldClass} value={values.event} onChange={set('event')}>
          <option value="">All events</option>
          {HISTORY_EVENTS.map((e) => (
            <option key={e} value={e}>
              {e}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        From
        <input type="datetime-local" className={fieldClass} value={values.from} onChange={set('from')} />
      </label>
      <label className="text-sm">
        To
        <input type="datetime-local" className={fieldClass} value={values.to} onChange={set('to')} />
      </label>
      <div className="flex gap-2 lg:col-span-6">
        <button
          type="submit"
          className="focus-ring rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          Apply filters
        </button>
        <button
          type="button"
          onClick={clear}
          className="focus-ring rounded-md px-3 py-1.5 text-sm ring-1 ring-zinc-300 hover:bg-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-800"
        >
          Clear
        </button>
      </div>
    </form>
  );
}

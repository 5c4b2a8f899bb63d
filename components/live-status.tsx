'use client';

import { CircleX, Loader, Radio, RefreshCw } from 'lucide-react';
import { useStatus } from './live-query';
import { usePollSettings } from './providers';

/** Tells how fresh the page is: live, a run in progress (faster), or the database unreachable. */
export function LiveStatus() {
  const { data, error } = useStatus();
  const { pollMs, activePollMs } = usePollSettings();
  const unreachable = Boolean(error) || data?.reachable === false;
  // Nothing said "live" before the first answer: the database may well be down.
  const pending = !data && !error;
  const text = unreachable
    ? 'Database unreachable'
    : pending
      ? 'Checking the database…'
      : data?.active
        ? `Run in progress · every ${activePollMs / 1000} s`
        : `Live · every ${pollMs / 1000} s`;
  const Icon = unreachable ? CircleX : pending ? Loader : data?.active ? RefreshCw : Radio;
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
      <Icon aria-hidden="true" className={unreachable ? 'size-3.5 text-red-600' : 'size-3.5'} />
      {text}
    </span>
  );
}

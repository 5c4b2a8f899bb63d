'use client';

import { CircleX, Radio, RefreshCw } from 'lucide-react';
import { useStatus } from './live-query';
import { usePollSettings } from './providers';

/** Tells how fresh the page is: live, a run in progress (faster), or the database unreachable. */
export function LiveStatus() {
  const { data, error } = useStatus();
  const { pollMs, activePollMs } = usePollSettings();
  const unreachable = Boolean(error) || data?.reachable === false;
  const text = unreachable
    ? 'Database unreachable'
    : data?.active
      ? `Run in progress · every ${activePollMs / 1000} s`
      : `Live · every ${pollMs / 1000} s`;
  const Icon = unreachable ? CircleX : data?.active ? RefreshCw : Radio;
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
      <Icon aria-hidden="true" className={unreachable ? 'size-3.5 text-red-600' : 'size-3.5'} />
      {text}
    </span>
  );
}

import clsx from 'clsx';
import { CircleAlert, CircleCheck, CircleDashed, CircleMinus, CircleX, Loader, Lock, LockOpen, TriangleAlert } from 'lucide-react';

/** Every status the console shows, with its word and icon: never colour alone. */
const STATUSES = {
  valid: { label: 'valid', icon: CircleCheck, tone: 'good' },
  warning: { label: 'warning', icon: TriangleAlert, tone: 'warn' },
  error: { label: 'error', icon: CircleX, tone: 'bad' },
  'n/a': { label: 'n/a', icon: CircleMinus, tone: 'muted' },
  pass: { label: 'pass', icon: CircleCheck, tone: 'good' },
  fail: { label: 'fail', icon: CircleX, tone: 'bad' },
  complete: { label: 'complete', icon: CircleCheck, tone: 'good' },
  'in-progress': { label: 'in progress', icon: Loader, tone: 'info' },
  failed: { label: 'failed', icon: CircleX, tone: 'bad' },
  held: { label: 'held', icon: Lock, tone: 'info' },
  expired: { label: 'lease expired', icon: CircleAlert, tone: 'warn' },
  free: { label: 'free', icon: LockOpen, tone: 'muted' },
  registered: { label: 'registered', icon: CircleCheck, tone: 'good' },
  missing: { label: 'missing', icon: TriangleAlert, tone: 'warn' },
  unused: { label: 'unused', icon: CircleDashed, tone: 'muted' },
} as const;
export type Status = keyof typeof STATUSES;

const TONES = {
  good: 'bg-emerald-50 text-emerald-800 ring-emerald-600/30 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-400/30',
  warn: 'bg-amber-50 text-amber-900 ring-amber-600/30 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-400/30',
  bad: 'bg-red-50 text-red-800 ring-red-600/30 dark:bg-red-950 dark:text-red-200 dark:ring-red-400/30',
  info: 'bg-sky-50 text-sky-800 ring-sky-600/30 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-400/30',
  muted: 'bg-zinc-100 text-zinc-700 ring-zinc-500/30 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-400/30',
};

export function StatusBadge({ status, label, className }: { status: Status; label?: string; className?: string }) {
  const { icon: Icon, tone, label: word } = STATUSES[status];
  return (
    <span
      className={clsx('inline-flex items-center gap-1 rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap', TONES[tone], className)}
    >
      <Icon aria-hidden="true" className="size-3.5 shrink-0" />
      {label ?? word}
    </span>
  );
}

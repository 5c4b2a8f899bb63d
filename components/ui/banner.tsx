import clsx from 'clsx';
import { CircleX, Info } from 'lucide-react';
import type { ReactNode } from 'react';

export function Banner({ tone = 'error', title, children }: { tone?: 'error' | 'info'; title: string; children?: ReactNode }) {
  const Icon = tone === 'error' ? CircleX : Info;
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={clsx(
        'flex gap-3 rounded-lg border p-3 text-sm',
        tone === 'error'
          ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100'
          : 'border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100',
      )}
    >
      <Icon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      <div>
        <p className="font-semibold">{title}</p>
        {children && <div className="mt-1">{children}</div>}
      </div>
    </div>
  );
}

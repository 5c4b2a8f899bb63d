'use client';

import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};
/** False while the server renders and hydrates, true after: the viewer's time zone is known only then. */
export const useIsClient = () =>
  useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );

const formatter = () => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', hour12: false } as Intl.DateTimeFormatOptions);

/** A time in the viewer's time zone, the exact ISO time on hover. */
export function LocalTime({ iso, fallback = '—' }: { iso: string | null | undefined; fallback?: string }) {
  const client = useIsClient();
  if (!iso) return <span>{fallback}</span>;
  const date = new Date(iso);
  const text = client ? formatter().format(date) : `${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`;
  return (
    <time dateTime={iso} title={iso} className="tabular-nums">
      {text}
    </time>
  );
}

'use client';

import type { EventsPage } from '@/lib/console/views';
import { EventLabel } from './event-icon';
import { LocalTime } from './ui/local-time';

function detailText(detail: Record<string, unknown>): string {
  const text = JSON.stringify(detail);
  return text === '{}' ? '' : text;
}

export function EventsTable({ page }: { page: EventsPage }) {
  if (page.events.length === 0) return <p className="text-sm">No events match.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">History events, newest first</caption>
        <thead className="border-b border-zinc-200 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">Time</th>
            <th scope="col" className="py-2 pr-3 font-medium">Worker</th>
            <th scope="col" className="py-2 pr-3 font-medium">Event</th>
            <th scope="col" className="py-2 pr-3 font-medium">Fence</th>
            <th scope="col" className="py-2 pr-3 font-medium">Run</th>
            <th scope="col" className="py-2 font-medium">Detail</th>
          </tr>
        </thead>
        <tbody>
          {page.events.map((e) => (
            <tr key={e.id} className="border-b border-zinc-100 align-top dark:border-zinc-800">
              <td className="py-1.5 pr-3 whitespace-nowrap">
                <LocalTime iso={e.at} />
              </td>
              <td className="py-1.5 pr-3 font-mono text-xs">{e.worker_id}</td>
              <td className="py-1.5 pr-3">
                <EventLabel event={e.event} />
              </td>
              <td className="py-1.5 pr-3 tabular-nums">{e.fence ?? '—'}</td>
              <td className="py-1.5 pr-3 font-mono text-xs">{e.run_id}</td>
              <td className="max-w-md py-1.5 font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">{detailText(e.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

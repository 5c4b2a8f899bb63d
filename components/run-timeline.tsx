'use client';

import type { EventView } from '@/lib/console/views';
import { EVENT_ICONS, eventTone } from './event-icon';

function describe(e: EventView): string {
  const detail = Object.entries(e.detail)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${e.event} at ${e.at}${e.fence !== null ? `, fence ${e.fence}` : ''}${detail ? `, ${detail}` : ''}`;
}

/**
 * One lane per worker, events in time order along it. Every event is a focusable button whose
 * name says what happened; hovering or focusing shows the detail.
 */
export function RunTimeline({ events }: { events: EventView[] }) {
  if (events.length === 0) return null;
  const times = events.map((e) => new Date(e.at).getTime());
  const start = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - start);
  const lanes = new Map<string, EventView[]>();
  for (const e of events) lanes.set(e.worker_id, [...(lanes.get(e.worker_id) ?? []), e]);
  const position = (e: EventView) => ((new Date(e.at).getTime() - start) / span) * 100;

  return (
    <div role="group" aria-label={`Timeline: ${lanes.size} workers over ${span} ms`} className="space-y-1">
      <div className="flex justify-between pl-48 text-xs text-zinc-600 dark:text-zinc-400">
        <span>0 ms</span>
        <span>{span} ms</span>
      </div>
      <ol className="space-y-1">
        {[...lanes].map(([worker, laneEvents]) => (
          <li key={worker} className="flex items-center gap-2">
            <span className="w-46 shrink-0 truncate font-mono text-xs" title={worker}>
              {worker}
            </span>
            <ol className="relative h-6 flex-1 rounded bg-zinc-100 dark:bg-zinc-800" aria-label={`Events of ${worker}`}>
              {laneEvents.map((e) => {
                const Icon = EVENT_ICONS[e.event];
                return (
                  <li key={e.id} className="group absolute top-0.5 -translate-x-1/2" style={{ left: `${position(e)}%` }}>
                    <button
                      type="button"
                      className={`focus-ring flex size-5 items-center justify-center rounded-full bg-white shadow-sm ring-1 ring-zinc-300 dark:bg-zinc-900 dark:ring-zinc-600 ${eventTone(e.event)}`}
                      aria-label={describe(e)}
                    >
                      <Icon aria-hidden="true" className="size-3" />
                    </button>
                    <span
                      role="tooltip"
                      className="pointer-events-none invisible absolute bottom-full left-1/2 z-10 mb-1 w-max max-w-xs -translate-x-1/2 rounded bg-zinc-900 px-2 py-1 text-xs text-white opacity-0 shadow group-focus-within:visible group-focus-within:opacity-100 group-hover:visible group-hover:opacity-100 dark:bg-zinc-100 dark:text-zinc-900"
                    >
                      {describe(e)}
                    </span>
                  </li>
                );
              })}
            </ol>
          </li>
        ))}
      </ol>
    </div>
  );
}

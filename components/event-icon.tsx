import {
  ArrowRightLeft,
  CircleCheck,
  CircleX,
  Database,
  Eraser,
  Hand,
  Hourglass,
  Lock,
  LockOpen,
  Play,
  Power,
  RefreshCw,
  ShieldCheck,
  SkipForward,
  TimerOff,
  Undo2,
  Unlock,
  UserCog,
  Wrench,
  type LucideIcon,
} from 'lucide-react';
// final-events.ts imports only types, so the browser bundle gets the sets and neither zod nor the driver.
import { FAILED_EVENTS } from '@/lib/history/final-events';
import type { HistoryEventName } from '@/lib/schemas/history';

export const EVENT_ICONS: Record<HistoryEventName, LucideIcon> = {
  boot: Power,
  acquired: Lock,
  takeover: ArrowRightLeft,
  waiting: Hourglass,
  ready: CircleCheck,
  'skipped-complete': SkipForward,
  'wipe-started': Play,
  wiped: Eraser,
  'lock-preserved': ShieldCheck,
  'seeded-project': Database,
  completed: CircleCheck,
  failed: CircleX,
  'lease-renewed': RefreshCw,
  'lease-lost': Unlock,
  released: LockOpen,
  'force-released': Hand,
  'wait-timeout': TimerOff,
  'admin-action': UserCog,
  repair: Wrench,
  'repair-undone': Undo2,
};

const WARN = new Set<HistoryEventName>(['takeover', 'force-released', 'wipe-started', 'wiped']);
const GOOD = new Set<HistoryEventName>(['acquired', 'completed', 'ready', 'skipped-complete', 'lock-preserved']);

export function eventTone(event: HistoryEventName): string {
  if (FAILED_EVENTS.has(event)) return 'text-red-700 dark:text-red-300';
  if (WARN.has(event)) return 'text-amber-700 dark:text-amber-300';
  if (GOOD.has(event)) return 'text-emerald-700 dark:text-emerald-300';
  return 'text-zinc-600 dark:text-zinc-400';
}

/** An event with its icon and its name: never colour alone. */
export function EventLabel({ event }: { event: HistoryEventName }) {
  const Icon = EVENT_ICONS[event];
  return (
    <span className={`inline-flex items-center gap-1 whitespace-nowrap ${eventTone(event)}`}>
      <Icon aria-hidden="true" className="size-3.5" />
      {event}
    </span>
  );
}

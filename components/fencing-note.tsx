import type { OverviewView } from '@/lib/console/views';
import { fencingNotice } from '@/lib/db/fencing-notice';

/**
 * The deployment's topology under the lock, in the start log's words. On a standalone it is a note
 * (role=note, not an alert): a standing fact of the deployment, not something that just went wrong.
 */
export function FencingNote({ topology }: { topology: OverviewView['topology'] }) {
  const text = fencingNotice(topology);
  if (topology !== 'standalone') return <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">{text}</p>;
  return (
    <p
      role="note"
      aria-label="Fencing"
      className="mt-3 rounded-md bg-amber-50 p-2 text-sm text-amber-900 ring-1 ring-amber-600/30 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-400/30"
    >
      {text}
    </p>
  );
}

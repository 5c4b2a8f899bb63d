import Link from 'next/link';
import type { OverviewView } from '@/lib/console/views';
import { plural } from '@/lib/history/plural';
import { Card } from './ui/card';
import { LocalTime } from './ui/local-time';
import { StatusBadge } from './ui/status-badge';

/** The last run's verdict in the words of the incident report. */
export function VerdictCard({ run }: { run: OverviewView['last_run'] }) {
  return (
    <Card title="Last run" actions={run && <StatusBadge status={run.pass ? 'pass' : 'fail'} />}>
      {!run ? (
        <p className="text-sm">No run recorded yet.</p>
      ) : (
        <>
          <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
            <Link className="underline" href={`/workers?run=${encodeURIComponent(run.run_id)}`}>
              {run.run_id}
            </Link>{' '}
            · {plural(run.workers, 'worker')} · <LocalTime iso={run.started_at} />
            {run.elapsed_ms !== null && ` · all ready in ${run.elapsed_ms} ms`}
          </p>
          <ul className="space-y-1 text-sm" aria-label="Verdict">
            {run.findings.map((finding) => (
              <li key={finding}>{finding}</li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

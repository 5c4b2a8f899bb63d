'use client';

import Link from 'next/link';
import { seenStateKey } from '@/lib/admin/seen-state';
import { plural } from '@/lib/history/plural';
import { AdminActions } from './admin-actions';
import { CollectionCounts } from './collection-counts';
import { useLive } from './live-query';
import { LockCard } from './lock-card';
import { overviewQuery } from './queries';
import { StateCard } from './state-card';
import { UnreachableBanner } from './unreachable-banner';
import { VerdictCard } from './verdict-card';

export function OverviewLive({
  serverError,
  admin = false,
  databaseName,
}: {
  /** Why the server could not read the overview (the guard's words), shown until the browser reads it. */
  serverError: string | null;
  /** Shows the admin's controls (reseed, seed missing, force-release); the actions check the role again. */
  admin?: boolean;
  databaseName: string;
}) {
  const { data, error } = useLive(overviewQuery());
  // The banner shows while the last read failed; the last good data stays on screen under it.
  const problem = error ? error.message : !data ? serverError : null;
  return (
    <div className="space-y-4">
      <UnreachableBanner error={problem} />
      {admin && data && <AdminActions collections={data.collections} databaseName={databaseName} seenState={seenStateKey(data.state)} />}
      {data ? (
        <div className="grid gap-4 md:grid-cols-2">
          <LockCard lock={data.lock} leaseLive={data.lease_live} serverTime={data.server_time} topology={data.topology} admin={admin} />
          <VerdictCard run={data.last_run} />
          <StateCard state={data.state} />
          <CollectionCounts collections={data.collections} />
          {data.last_run && data.last_run.invalid_components > 0 && (
            <p className="text-sm md:col-span-2">
              <Link className="underline" href="/dashboards?status=errors">
                {plural(data.last_run.invalid_components, 'invalid component')}: the dashboards with errors
              </Link>
            </p>
          )}
        </div>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing to show until the database answers.</p>
      )}
    </div>
  );
}

'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState, useTransition } from 'react';
import { forceReleaseAction } from '@/app/_actions/force-release';
import type { LockView } from '@/lib/console/views';
import { Button, inputClass } from './ui/button';
import { RefusalBanner } from './ui/refusal-banner';

/** What the release answers: the action's own result type. */
type ReleaseResult = Awaited<ReturnType<typeof forceReleaseAction>>;

/**
 * Releasing the lock by hand, for admins: offered at once when the lease has expired; for a live
 * lease only after typing the holder's worker id. The release is conditional on the fence shown.
 */
export function ForceRelease({ lock, expired }: { lock: LockView & { holder: NonNullable<LockView['holder']> }; expired: boolean }) {
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<ReleaseResult | null>(null);
  const [pending, startTransition] = useTransition();
  const fence = lock.fence ?? 0;
  const release = (confirm?: string) =>
    startTransition(async () => {
      setResult(await forceReleaseAction({ fence, lease_expires_at: lock.lease_expires_at ?? new Date(0).toISOString(), confirm_worker_id: confirm }));
      void queryClient.invalidateQueries();
    });

  return (
    <div className="mt-4 border-t border-zinc-200 pt-3 dark:border-zinc-800">
      {expired ? (
        <div className="flex flex-wrap items-center gap-2">
          <p className="mr-auto text-sm">The lease has expired: no worker renews it.</p>
          <Button variant="danger-outline" disabled={pending} onClick={() => release()}>
            Force-release the lock
          </Button>
        </div>
      ) : (
        <details>
          <summary className="cursor-pointer text-sm text-zinc-700 dark:text-zinc-300">Force-release a live lease…</summary>
          <form
            className="mt-2 space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (typed === lock.holder.worker_id) release(typed);
            }}
          >
            <label htmlFor="force-release-confirm" className="block text-sm">
              The holder may still be working. Type its worker id, <span className="font-mono break-all">{lock.holder.worker_id}</span>, to release its lease
              anyway
            </label>
            <input
              id="force-release-confirm"
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              className={`${inputClass} font-mono`}
            />
            <Button type="submit" variant="danger" disabled={pending || typed !== lock.holder.worker_id}>
              Force-release the live lease
            </Button>
          </form>
        </details>
      )}
      <div role="status" className="mt-2 text-sm empty:mt-0">
        {result?.ok && `Released the lock of ${result.released}.`}
      </div>
      {result && !result.ok && (
        <div className="mt-2">
          <RefusalBanner refusal={result} />
        </div>
      )}
    </div>
  );
}

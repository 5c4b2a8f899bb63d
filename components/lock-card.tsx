import type { LockView, OverviewView } from '@/lib/console/views';
import { FencingNote } from './fencing-note';
import { ForceRelease } from './force-release';
import { Card, Field, Fields } from './ui/card';
import { CopyValue } from './ui/copy-button';
import { Countdown } from './ui/countdown';
import { LocalTime } from './ui/local-time';
import { StatusBadge } from './ui/status-badge';

/** The lock as it is now: its holder and lease, or free (with who held it last). */
export function LockCard({
  lock,
  leaseLive,
  serverTime,
  topology,
  admin = false,
}: {
  lock: LockView | null;
  /** The server's verdict on the database's clock (lib/lock/lease.ts): the browser's clock never decides. */
  leaseLive: boolean;
  serverTime: string | undefined;
  /** What fencing is worth on this deployment: said under the lock whatever its state. */
  topology: OverviewView['topology'];
  admin?: boolean;
}) {
  if (!lock) {
    return (
      <Card title="Lock">
        <p className="text-sm">
          <StatusBadge status="free" /> No lock document yet: no worker has tried to initialize this database.
        </p>
        <FencingNote topology={topology} />
      </Card>
    );
  }
  if (lock.written_by_platform) {
    const p = lock.platform;
    return (
      <Card title="Lock">
        <p className="mb-3 text-sm">
          <StatusBadge status={p.initialization_in_progress ? 'held' : 'free'} /> Written by the platform itself (no lease, no fence).
        </p>
        <Fields>
          <Field label="Worker">{p.worker_id ?? '—'}</Field>
          <Field label="Started">
            <LocalTime iso={p.started_at} />
          </Field>
          <Field label="In progress">{p.initialization_in_progress ? 'yes' : 'no'}</Field>
          <Field label="Complete">{p.initialization_complete ? 'yes' : 'no'}</Field>
        </Fields>
        <FencingNote topology={topology} />
      </Card>
    );
  }
  const expired = Boolean(lock.holder) && !leaseLive;
  return (
    <Card title="Lock" actions={<StatusBadge status={!lock.holder ? 'free' : expired ? 'expired' : 'held'} />}>
      <Fields>
        {lock.holder ? (
          <>
            <Field label="Holder">
              <CopyValue value={lock.holder.worker_id} label="holder worker id" />
            </Field>
            <Field label="Host / pid">
              {lock.holder.host} / {lock.holder.pid}
            </Field>
            <Field label="Run">
              <CopyValue value={lock.holder.run_id} label="run id" />
            </Field>
            <Field label="Generation">{lock.holder.generation}</Field>
          </>
        ) : lock.force_released_by ? (
          <>
            <Field label="Last holder">
              {lock.force_released_holder ? <CopyValue value={lock.force_released_holder} label="last holder worker id" /> : '—'}
            </Field>
            <Field label="Force-released by">{lock.force_released_by}</Field>
          </>
        ) : (
          <Field label="Last holder">
            {lock.released_by ? <CopyValue value={lock.released_by} label="last holder worker id" /> : (lock.platform.worker_id ?? '—')}
          </Field>
        )}
        <Field label="Fence">
          <span className="tabular-nums">{lock.fence ?? '—'}</span>
        </Field>
        <Field label="Acquired">
          <LocalTime iso={lock.acquired_at} />
        </Field>
        <Field label="Last renewal">
          <LocalTime iso={lock.renewed_at} /> {lock.renewals !== null && <span className="text-zinc-600 dark:text-zinc-400">({lock.renewals} renewals)</span>}
        </Field>
        {lock.holder ? (
          <Field label="Lease">{lock.lease_expires_at && serverTime ? <Countdown until={lock.lease_expires_at} serverTime={serverTime} /> : '—'}</Field>
        ) : (
          <Field label="Released">
            <LocalTime iso={lock.released_at} />
          </Field>
        )}
      </Fields>
      <FencingNote topology={topology} />
      {admin && lock.holder && <ForceRelease lock={{ ...lock, holder: lock.holder }} expired={expired} />}
    </Card>
  );
}

import type { StateView } from '@/lib/console/views';
import { Card, Field, Fields } from './ui/card';
import { CopyValue } from './ui/copy-button';
import { LocalTime } from './ui/local-time';
import { StatusBadge } from './ui/status-badge';

export function StateCard({ state }: { state: StateView | null }) {
  return (
    <Card title="Initialization state" actions={state && <StatusBadge status={state.status} />}>
      {!state ? (
        <p className="text-sm">Never initialized.</p>
      ) : (
        <Fields>
          <Field label="Generation">
            <CopyValue value={state.generation} label="generation" />
          </Field>
          <Field label={state.status === 'complete' ? 'Completed' : state.status === 'failed' ? 'Failed' : 'Started'}>
            <LocalTime iso={state.completed_at ?? state.failed_at ?? state.started_at} />
          </Field>
          <Field label="By">
            {state.worker_id} (fence {state.fence}){state.wipe ? ', with wipe' : ''}
          </Field>
          <Field label="Seed digest">
            <CopyValue value={state.seed_digest.slice(0, 16)} label="seed digest" />
          </Field>
          {state.error && <Field label="Error">{state.error}</Field>}
          {state.counts && (
            <Field label="Written">
              {Object.entries(state.counts)
                .map(([k, v]) => `${v} ${k}`)
                .join(', ')}
            </Field>
          )}
        </Fields>
      )}
    </Card>
  );
}

'use client';

import type { EventsPage } from '@/lib/console/views';
import { EventLabel } from './event-icon';
import { LocalTime } from './ui/local-time';
import { Cell, Row, Table } from './ui/table';

function detailText(detail: Record<string, unknown>): string {
  const text = JSON.stringify(detail);
  return text === '{}' ? '' : text;
}

export function EventsTable({ page }: { page: EventsPage }) {
  if (page.events.length === 0) return <p className="text-sm">No events match.</p>;
  return (
    <Table caption="History events, newest first" columns={['Time', 'Worker', 'Event', 'Fence', 'Run', 'Detail']}>
      {page.events.map((e) => (
        <Row key={e.id}>
          <Cell className="whitespace-nowrap">
            <LocalTime iso={e.at} />
          </Cell>
          <Cell className="font-mono text-xs">{e.worker_id}</Cell>
          <Cell>
            <EventLabel event={e.event} />
          </Cell>
          <Cell className="tabular-nums">{e.fence ?? '—'}</Cell>
          <Cell className="font-mono text-xs">{e.run_id}</Cell>
          <Cell className="max-w-md font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">{detailText(e.detail)}</Cell>
        </Row>
      ))}
    </Table>
  );
}

import type { ReseedPlan } from '@/lib/admin/schemas';
import { Cell, Row, Table } from './ui/table';

const number = 'text-right tabular-nums';

/** A reseed plan as both Reseed dialogs show it: per collection, what the run deletes, writes and keeps, then its notes in words. */
export function ReseedPlanTable({ plan, caption }: { plan: ReseedPlan; caption: string }) {
  return (
    <div className="space-y-2">
      <Table
        caption={caption}
        showCaption
        columns={['Collection', { label: 'To delete', className: number }, { label: 'To write', className: number }, { label: 'Kept', className: number }]}
      >
        {plan.collections.map((c) => (
          <Row key={c.name}>
            {/* A plain cell, not a row header: the full Reseed dialog's collection table already has a row headed by each name. */}
            <Cell className="py-1 font-mono">{c.name}</Cell>
            <Cell className={`py-1 ${number}`}>{c.delete}</Cell>
            <Cell className={`py-1 ${number}`}>{c.write}</Cell>
            <Cell className={`py-1 ${number}`}>{c.keep}</Cell>
          </Row>
        ))}
      </Table>
      <ul className="list-disc space-y-1 pl-5 text-sm" aria-label="What the plan says">
        {plan.notes.map((note) => (
          <li key={note}>{note}</li>
        ))}
      </ul>
    </div>
  );
}

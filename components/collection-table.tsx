import clsx from 'clsx';
import { Cell, Row, RowHeader, Table } from './ui/table';

/** Collections with their document counts: the overview's card and the reseed dialog show the same table. */
export function CollectionTable({
  collections,
  caption,
  showHeader = false,
}: {
  collections: Array<{ name: string; count: number }>;
  caption: string;
  showHeader?: boolean;
}) {
  return (
    <Table caption={caption} showHeader={showHeader} columns={['Collection', { label: 'Documents', className: 'text-right' }]}>
      {collections.map((c) => (
        <Row key={c.name}>
          <RowHeader className={clsx('py-1 font-normal', showHeader && 'font-mono')}>{c.name}</RowHeader>
          <Cell className="py-1 text-right tabular-nums">{c.count}</Cell>
        </Row>
      ))}
    </Table>
  );
}

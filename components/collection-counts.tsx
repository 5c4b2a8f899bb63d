import type { OverviewJson } from '@/lib/console/overview';
import { Card } from './ui/card';

export function CollectionCounts({ collections }: { collections: OverviewJson['collections'] }) {
  return (
    <Card title="Collections">
      {collections.length === 0 ? (
        <p className="text-sm">No collections.</p>
      ) : (
        <table className="w-full text-sm">
          <thead className="sr-only">
            <tr>
              <th scope="col">Collection</th>
              <th scope="col">Documents</th>
            </tr>
          </thead>
          <tbody>
            {collections.map((c) => (
              <tr key={c.name} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
                <th scope="row" className="py-1 text-left font-normal">
                  {c.name}
                </th>
                <td className="py-1 text-right tabular-nums">{c.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

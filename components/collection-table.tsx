import clsx from 'clsx';

/** Collections with their document counts: the overview's card and the reseed dialog show the same table. */
export function CollectionTable({ collections, caption, showHeader = false }: { collections: Array<{ name: string; count: number }>; caption: string; showHeader?: boolean }) {
  return (
    <table className="w-full text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className={showHeader ? undefined : 'sr-only'}>
        <tr className="border-b border-zinc-200 text-left dark:border-zinc-700">
          <th scope="col" className="py-1 font-medium">
            Collection
          </th>
          <th scope="col" className="py-1 text-right font-medium">
            Documents
          </th>
        </tr>
      </thead>
      <tbody>
        {collections.map((c) => (
          <tr key={c.name} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
            <th scope="row" className={clsx('py-1 text-left font-normal', showHeader && 'font-mono')}>
              {c.name}
            </th>
            <td className="py-1 text-right tabular-nums">{c.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

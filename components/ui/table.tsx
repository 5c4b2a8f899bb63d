import clsx from 'clsx';
import type { ReactNode } from 'react';

/**
 * The console's data table: scrolls sideways on a narrow screen, a caption for screen readers (or
 * shown), one header row of column names. Rows are the caller's (<Row>, <RowHeader>, <Cell>).
 */
export function Table({
  caption,
  columns,
  children,
  framed = false,
  showCaption = false,
  showHeader = true,
}: {
  caption: ReactNode;
  /** Column names, each with its own classes if it needs them (a number column aligns right). */
  columns: Array<ReactNode | { label: ReactNode; className: string }>;
  children: ReactNode;
  /** A bordered panel of its own (a table that is not inside a card). */
  framed?: boolean;
  showCaption?: boolean;
  showHeader?: boolean;
}) {
  return (
    <div className={clsx('overflow-x-auto', framed && 'rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900')}>
      {/* A framed table pads its cells on both sides, as a panel's edge needs. */}
      <table className={clsx('w-full text-left text-sm', framed && '[&_td]:px-3 [&_td]:py-2 [&_th]:px-3 [&_th]:py-2')}>
        <caption className={showCaption ? 'p-3 text-left text-sm text-zinc-600 dark:text-zinc-400' : 'sr-only'}>{caption}</caption>
        <thead className={clsx('border-b border-zinc-200 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400', !showHeader && 'sr-only')}>
          <tr>
            {columns.map((column, i) => {
              const { label, className } =
                column !== null && typeof column === 'object' && 'label' in column ? column : { label: column, className: undefined };
              return (
                <th key={i} scope="col" className={clsx('py-2 pr-3 font-medium', className)}>
                  {label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Row({ children, className, ...rest }: { children: ReactNode; className?: string; 'data-status'?: string }) {
  return (
    <tr className={clsx('border-b border-zinc-100 align-top last:border-0 dark:border-zinc-800', className)} {...rest}>
      {children}
    </tr>
  );
}

/** The cell that names its row. */
export function RowHeader({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <th scope="row" className={clsx('py-1.5 pr-3 text-left font-medium', className)}>
      {children}
    </th>
  );
}

/** `live`: a cell that changes while the page is open, read out by screen readers when it does. */
export function Cell({ children, className, live = false }: { children?: ReactNode; className?: string; live?: boolean }) {
  return (
    <td className={clsx('py-1.5 pr-3', className)} aria-live={live ? 'polite' : undefined}>
      {children}
    </td>
  );
}

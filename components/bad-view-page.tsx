import Link from 'next/link';
import { Banner } from './ui/banner';
import { PageHeader } from './ui/page-header';

/**
 * A page whose URL asks for a view it cannot show (a filter, a sort or a page it does not know):
 * every problem named, and a link to the page without them. Nothing else is rendered.
 */
export function BadViewPage({
  title,
  banner,
  problems,
  clearHref,
  clearLabel,
}: {
  title: string;
  banner: string;
  problems: readonly string[];
  clearHref: string;
  clearLabel: string;
}) {
  return (
    <>
      <PageHeader title={title} />
      <Banner title={banner}>
        <ul>
          {[...new Set(problems)].map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
        <p className="mt-1">
          <Link className="underline" href={clearHref}>
            {clearLabel}
          </Link>
        </p>
      </Banner>
    </>
  );
}

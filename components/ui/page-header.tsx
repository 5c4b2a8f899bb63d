/** A page's heading: the one h1 each page has. */
export function PageHeader({ title }: { title: string }) {
  return <h1 className="mb-4 text-2xl font-semibold">{title}</h1>;
}

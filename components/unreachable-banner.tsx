import { Banner } from './ui/banner';

export function UnreachableBanner({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <Banner title="The database cannot be reached">
      <p>{error}</p>
      <p className="mt-1">This page keeps trying and fills in as soon as the database answers.</p>
    </Banner>
  );
}

import type { OverviewView } from '@/lib/console/views';
import { CollectionTable } from './collection-table';
import { Card } from './ui/card';

export function CollectionCounts({ collections }: { collections: OverviewView['collections'] }) {
  return (
    <Card title="Collections">
      {collections.length === 0 ? <p className="text-sm">No collections.</p> : <CollectionTable collections={collections} caption="Documents per collection" />}
    </Card>
  );
}

import { queryOptions } from '@tanstack/react-query';
import { drillViewSchema } from '@/lib/console/drill-view';
import { fetchView } from './queries';

/** The drill page's view: one drill by id, or the latest (null). Apart from queries.ts so that only the drill page ships its schema. */
export const drillQuery = (jobId: string | null) =>
  queryOptions({
    queryKey: ['drill', jobId],
    queryFn: () => fetchView(jobId ? `/api/drill?id=${encodeURIComponent(jobId)}` : '/api/drill', drillViewSchema),
  });

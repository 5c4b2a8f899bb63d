import 'server-only';
import type { DataTag, QueryClient, QueryKey } from '@tanstack/react-query';
import type { Db } from 'mongodb';
import { sharedDb } from '@/lib/db/client';
import { publicError } from '@/lib/http/guard';

/**
 * A page's view, read on the server into this request's query client under the key the browser
 * polls (components/queries.ts), so the page renders with data and hydrates without asking again.
 * A read that fails is an answer, not a crash: the page renders and says why, in the guard's words
 * (the same a route handler would answer), never the raw error. The key carries the options' data
 * type (queryOptions tags it), so the loader must return what the browser's fetcher would parse.
 */
export async function prefetchView<TData>(
  client: QueryClient,
  options: { queryKey: DataTag<QueryKey, TData, unknown> },
  load: (db: Db) => Promise<NoInfer<TData>>,
  path: string,
): Promise<string | null> {
  await client.prefetchQuery({ queryKey: options.queryKey, queryFn: async () => load(await sharedDb()), retry: false });
  const error = client.getQueryState(options.queryKey)?.error;
  return error ? publicError(error, `render of ${path}`).message : null;
}

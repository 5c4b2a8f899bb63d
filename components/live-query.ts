'use client';

import { keepPreviousData, useQuery, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';
import { usePollSettings } from './providers';
import { statusQuery } from './queries';

/** The console's heartbeat: is the database reachable, is a run active (then everything polls faster). */
export function useStatus() {
  const { pollMs, activePollMs } = usePollSettings();
  return useQuery({ ...statusQuery(), refetchInterval: (query) => (query.state.data?.active ? activePollMs : pollMs) });
}

/**
 * A view a page shows and keeps fresh (`options` from components/queries.ts): first what the server
 * prefetched, then polled every pollMs, or every activePollMs while a run is active. The last data
 * stays on screen while new data loads.
 */
export function useLive<T, K extends QueryKey>(options: UseQueryOptions<T, Error, T, K>) {
  const { pollMs, activePollMs } = usePollSettings();
  const status = useStatus();
  return useQuery({ ...options, placeholderData: keepPreviousData, refetchInterval: status.data?.active ? activePollMs : pollMs });
}

'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { usePollSettings } from './providers';

/** The answer of an API route when the database cannot be reached or the input is wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (response.status === 401 && typeof window !== 'undefined') {
    // The session expired while the page was open: sign in again and come back here.
    window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new ApiError(response.status, body?.error ?? `${response.status} ${response.statusText}`);
  }
  return (await response.json()) as T;
}

export interface StatusJson {
  reachable: boolean;
  error: string | null;
  active: boolean;
}

/** The console's heartbeat: is the database reachable, is a run active (then everything polls faster). */
export function useStatus() {
  const { pollMs, activePollMs } = usePollSettings();
  return useQuery({
    queryKey: ['status'],
    queryFn: () => fetchJson<StatusJson>('/api/status'),
    refetchInterval: (query) => (query.state.data?.active ? activePollMs : pollMs),
  });
}

/**
 * Data a page shows and keeps fresh: first from the server render, then polled every pollMs, or
 * every activePollMs while a run is active. The last data stays on screen while new data loads.
 */
export function useLive<T>(key: readonly unknown[], url: string, initialData: T | undefined) {
  const { pollMs, activePollMs } = usePollSettings();
  const status = useStatus();
  return useQuery({
    queryKey: key,
    queryFn: () => fetchJson<T>(url),
    initialData,
    initialDataUpdatedAt: initialData === undefined ? undefined : Date.now(),
    placeholderData: keepPreviousData,
    refetchInterval: status.data?.active ? activePollMs : pollMs,
  });
}

import { QueryClient, isServer } from '@tanstack/react-query';

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Above zero so that data the server prefetched is not fetched again as the page hydrates.
        staleTime: 1_000,
        retry: 1,
        // Polling pauses in a background tab; a tab coming back refreshes at once.
        refetchIntervalInBackground: false,
        refetchOnWindowFocus: true,
      },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

/**
 * A new client per request on the server (prefetched data never leaks between requests or users),
 * one client for the life of the tab in the browser.
 */
export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

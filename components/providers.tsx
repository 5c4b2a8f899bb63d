'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ThemeProvider } from 'next-themes';
import { createContext, useContext, useState, type ReactNode } from 'react';

export interface PollSettings {
  /** How often pages refresh their data (ms). */
  pollMs: number;
  /** How often while a lease is held or a run is in progress (ms). */
  activePollMs: number;
}

const PollContext = createContext<PollSettings>({ pollMs: 2000, activePollMs: 500 });
export const usePollSettings = () => useContext(PollContext);

export function Providers({ children, poll, nonce }: { children: ReactNode; poll: PollSettings; nonce?: string }) {
  // One client per browser tab, made once.
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 1_000,
            retry: 1,
            // Polling pauses in a background tab; a tab coming back refreshes at once.
            refetchIntervalInBackground: false,
            refetchOnWindowFocus: true,
          },
        },
      }),
  );
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce}>
      <QueryClientProvider client={client}>
        <PollContext.Provider value={poll}>{children}</PollContext.Provider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}

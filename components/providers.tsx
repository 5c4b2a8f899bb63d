'use client';

import { QueryClientProvider } from '@tanstack/react-query';
import { ThemeProvider } from 'next-themes';
import { createContext, useContext, type ReactNode } from 'react';
import { getQueryClient } from './get-query-client';

export interface PollSettings {
  /** How often pages refresh their data (ms). */
  pollMs: number;
  /** How often while a lease is held or a run is in progress (ms). */
  activePollMs: number;
}

const PollContext = createContext<PollSettings>({ pollMs: 2000, activePollMs: 500 });
export const usePollSettings = () => useContext(PollContext);

export function Providers({ children, poll, nonce }: { children: ReactNode; poll: PollSettings; nonce?: string }) {
  // Not in useState: a render that suspends before mounting would otherwise throw its client away.
  const client = getQueryClient();
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce}>
      <QueryClientProvider client={client}>
        <PollContext.Provider value={poll}>{children}</PollContext.Provider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}

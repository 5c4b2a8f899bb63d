import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { currentSession } from '@/app/_lib/session';
import { LiveStatus } from '@/components/live-status';
import { NavLink } from '@/components/nav-link';
import { Providers } from '@/components/providers';
import { ThemeToggle } from '@/components/ui/theme-toggle';
import { UserMenu } from '@/components/user-menu';
import { config } from '@/lib/env';
import { NONCE_HEADER } from '@/lib/http/security-headers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Depictio Init Console', template: '%s · Depictio Init Console' },
  description: 'Who holds the initialization lock, every worker attempt, seeded projects and dashboard DC mappings',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { CONSOLE_POLL_MS, CONSOLE_ACTIVE_POLL_MS } = config();
  // For the header only: each page checks the session itself (a layout is not re-run on every navigation).
  const session = await currentSession();
  // The Content-Security-Policy's nonce (proxy.ts), for the theme's inline script.
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <Providers poll={{ pollMs: CONSOLE_POLL_MS, activePollMs: CONSOLE_ACTIVE_POLL_MS }} nonce={nonce}>
          <a
            href="#main"
            className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm dark:focus:bg-zinc-900"
          >
            Skip to content
          </a>
          <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
            <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
              <Link href="/" className="text-base font-semibold">
                Depictio Init Console
              </Link>
              {session && (
                <nav aria-label="Main" className="flex flex-wrap gap-1">
                  <NavLink href="/">Overview</NavLink>
                  <NavLink href="/workers">Workers</NavLink>
                  <NavLink href="/projects">Projects</NavLink>
                  <NavLink href="/dashboards">Dashboards</NavLink>
                  {session.role === 'admin' && <NavLink href="/drill">Drill</NavLink>}
                </nav>
              )}
              <div className="ml-auto flex items-center gap-3">
                {session && <LiveStatus />}
                <ThemeToggle />
                {session && <UserMenu email={session.email} role={session.role} />}
              </div>
            </div>
          </header>
          <main id="main" className="mx-auto max-w-7xl px-4 py-6">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}

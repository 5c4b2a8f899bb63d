'use client';

import { Monitor, Moon, Sun } from 'lucide-react';
import { useTheme } from 'next-themes';
import { useIsClient } from './local-time';

const NEXT = { system: 'light', light: 'dark', dark: 'system' } as const;
const ICONS = { system: Monitor, light: Sun, dark: Moon };

/** Follows the system by default; cycles system → light → dark. */
export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  const client = useIsClient();
  const current = (client && theme && theme in NEXT ? theme : 'system') as keyof typeof NEXT;
  const Icon = ICONS[current];
  return (
    <button
      type="button"
      onClick={() => setTheme(NEXT[current])}
      className="focus-ring inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-sm text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
      aria-label={`Theme: ${current}. Switch to ${NEXT[current]}`}
    >
      <Icon aria-hidden="true" className="size-4" />
      <span className="hidden sm:inline">{current}</span>
    </button>
  );
}

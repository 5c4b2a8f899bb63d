'use client';

import { LogOut } from 'lucide-react';
import { useActionState } from 'react';
import { signOutAction } from '@/app/_actions/sign-out';
import type { ActionResult } from '@/lib/auth/action-guard';

export function SignOutButton() {
  const [, formAction, pending] = useActionState<ActionResult | null, FormData>(signOutAction, null);
  return (
    <form action={formAction}>
      <button
        type="submit"
        disabled={pending}
        className="focus-ring inline-flex items-center gap-1 rounded-md px-2 py-1 ring-1 ring-zinc-300 hover:bg-zinc-100 disabled:opacity-50 dark:ring-zinc-700 dark:hover:bg-zinc-800"
      >
        <LogOut aria-hidden="true" className="size-3.5" />
        Sign out
      </button>
    </form>
  );
}

import type { Role } from '@/lib/auth/session';
import { SignOutButton } from './sign-out-button';

/** Who is signed in, with which role, and the way out. */
export function UserMenu({ email, role }: { email: string; role: Role }) {
  return (
    <div className="flex items-center gap-2 text-sm">
      <span className="max-w-48 truncate" title={email}>
        <span className="sr-only">Signed in as </span>
        {email}
      </span>
      <span className="rounded-md bg-zinc-100 px-1.5 py-0.5 text-xs font-medium text-zinc-700 ring-1 ring-zinc-500/30 ring-inset dark:bg-zinc-800 dark:text-zinc-300">
        <span className="sr-only">role </span>
        {role}
      </span>
      <SignOutButton />
    </div>
  );
}

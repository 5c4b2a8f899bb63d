import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentSession } from '@/app/_lib/session';
import { SignInForm } from '@/components/sign-in-form';
import { safeNextPath } from '@/lib/auth/next-path';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { next: raw } = await searchParams;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await currentSession()) redirect(next);
  return (
    <div className="mx-auto mt-10 max-w-sm rounded-lg border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="mb-1 text-xl font-semibold">Sign in</h1>
      <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">With your depictio account. Admins can reseed; everyone else can look.</p>
      <SignInForm next={next} />
    </div>
  );
}

'use client';

import { useActionState, useState } from 'react';
import { signInAction } from '@/app/_actions/sign-in';
import type { ActionResult } from '@/lib/auth/action-guard';
import { Banner } from './ui/banner';
import { Button, inputClass } from './ui/button';

/** Email and password; one message for every refusal. The password is never echoed back. */
export function SignInForm({ next }: { next: string }) {
  const [state, formAction, pending] = useActionState<ActionResult | null, FormData>(signInAction, null);
  // Controlled, so a refused attempt keeps the email; the password field is emptied after each attempt.
  const [email, setEmail] = useState('');
  return (
    <form action={formAction} className="space-y-4" aria-describedby={state && !state.ok ? 'sign-in-error' : undefined}>
      <input type="hidden" name="next" value={next} />
      {state && !state.ok && (
        <div id="sign-in-error">
          <Banner title={state.error} />
        </div>
      )}
      <div>
        <label htmlFor="email" className="mb-1 block text-sm font-medium">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          className={inputClass}
        />
      </div>
      <div>
        <label htmlFor="password" className="mb-1 block text-sm font-medium">
          Password
        </label>
        <input id="password" name="password" type="password" autoComplete="current-password" required maxLength={200} className={inputClass} />
      </div>
      <Button type="submit" variant="primary" disabled={pending} className="w-full justify-center">
        Sign in
      </Button>
    </form>
  );
}

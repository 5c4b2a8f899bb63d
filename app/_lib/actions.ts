import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import { runGuarded, type Access, type ActionContext, type ActionResult, type GuardDeps } from '@/lib/auth/action-guard';
import { SESSION_COOKIE, sessionSecret } from '@/lib/auth/session';
import { isSessionCurrent } from '@/lib/auth/session-store';
import { sharedDb } from '@/lib/db/client';
import { recordAdminAction } from '@/lib/history/admin-actions';

/**
 * The only way to make a server action here: every exported action of a "use server" file is one
 * of `publicAction`, `signedInAction` or `adminAction`. Each call goes through the guard in
 * lib/auth/action-guard.ts (session, then role, then zod input), never throws to the browser, and
 * an admin action's every call by a known user is recorded in the history.
 *
 * An action takes its input as its last argument, so the same action works when called with an
 * object from client code and as `useActionState`'s `(previousState, formData)`.
 * A handler that answers `{ ok: true, redirect_to }` sends the browser there.
 */

const deps: GuardDeps = {
  secret: () => sessionSecret(),
  isCurrent: async (session) => isSessionCurrent(await sharedDb(), session),
  db: sharedDb,
  audit: async (entry) => recordAdminAction(await sharedDb(), entry),
};

type Handler<A extends Access, S extends z.ZodType, T extends object> = (input: z.output<S>, ctx: ActionContext<A>) => Promise<ActionResult<T>>;

export type ServerAction<T extends object> = (...args: unknown[]) => Promise<ActionResult<T>>;

function defineAction<A extends Access, S extends z.ZodType, T extends object>(access: A, name: string, schema: S, handler: Handler<A, S, T>): ServerAction<T> {
  return async (...args: unknown[]) => {
    const token = (await cookies()).get(SESSION_COOKIE)?.value;
    const result = await runGuarded({ name, access, schema, handler }, token, args.at(-1), deps);
    if (result.ok && typeof (result as { redirect_to?: unknown }).redirect_to === 'string') {
      redirect((result as unknown as { redirect_to: string }).redirect_to);
    }
    return result;
  };
}

/** Anyone, signed in or not (sign-in itself). */
export const publicAction = <S extends z.ZodType, T extends object>(name: string, schema: S, handler: Handler<'public', S, T>) =>
  defineAction('public', name, schema, handler);

/** Any signed-in user, admin or viewer. */
export const signedInAction = <S extends z.ZodType, T extends object>(name: string, schema: S, handler: Handler<'signed-in', S, T>) =>
  defineAction('signed-in', name, schema, handler);

/** Admins only; every call by a signed-in user is recorded in the history. */
export const adminAction = <S extends z.ZodType, T extends object>(name: string, schema: S, handler: Handler<'admin', S, T>) =>
  defineAction('admin', name, schema, handler);

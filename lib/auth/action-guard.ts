import type { Db } from 'mongodb';
import type { z } from 'zod';
import { isUnreachableError } from '../db/client';
import { zodIssueLines } from '../zod-issues';
import { verifySessionToken, type Session } from './session';

/**
 * The one guard every server action goes through, in layers: public → signed in → admin. It checks
 * the session (from the token it is given: signed, then not revoked), the role, and the input (zod), in that order, before
 * the action's own code runs; it never lets an error through to the browser, and it records every
 * call of an admin action by a known user, allowed or not, in the history.
 *
 * Plain TypeScript: the Next.js glue (app/_lib/actions.ts) hands it the cookie's token.
 */

export type Access = 'public' | 'signed-in' | 'admin';
export type RefusalCode = 'unauthenticated' | 'forbidden' | 'invalid' | 'conflict' | 'failed';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  /** Said to the user as it is. */
  error: string;
  /** What is wrong with the input, one line per problem. */
  issues?: string[];
  /** A run holds the lock: who, and until when. */
  holder?: string | null;
  lease_expires_at?: string | null;
}

export type ActionResult<T extends object = object> = ({ ok: true } & T) | Refusal;

export const REFUSED = {
  unauthenticated: 'Sign in first.',
  forbidden: 'Only admins can do this.',
  invalid: 'The request is not valid.',
  failed: 'The action failed; the server log says why.',
  unreachable: 'The database cannot be reached right now; nothing was done.',
} as const;

export const refuse = (code: RefusalCode, error: string, extra: Omit<Refusal, 'ok' | 'code' | 'error'> = {}): Refusal => ({
  ok: false,
  code,
  error,
  ...extra,
});

export type ActionSession<A extends Access> = A extends 'public' ? Session | null : Session;

export interface ActionContext<A extends Access> {
  session: ActionSession<A>;
  db: () => Promise<Db>;
}

export interface ActionDefinition<A extends Access, S extends z.ZodType, T extends object> {
  /** The name the history records, e.g. "reseed". */
  name: string;
  access: A;
  schema: S;
  handler: (input: z.output<S>, ctx: ActionContext<A>) => Promise<ActionResult<T>>;
}

/** One call of an admin action, as the history records it. */
export interface AuditEntry {
  action: string;
  session: Session;
  outcome: 'ok' | RefusalCode;
  params: unknown;
  error?: string;
  /** The run the action started or touched, so the call shows in that run's timeline. */
  run_id?: string;
  generation?: string;
}

export interface GuardDeps {
  /** The session key; read inside the guard, so a server without one refuses instead of throwing. */
  secret: () => Uint8Array;
  /** Whether a signed session is still valid (not signed out, role unchanged): session-store.ts. */
  isCurrent: (session: Session) => Promise<boolean>;
  db: () => Promise<Db>;
  audit: (entry: AuditEntry) => Promise<void>;
}

/** What the history keeps of an input it could not accept: bounded, and never a password. */
function paramsForAudit(raw: unknown): unknown {
  try {
    const text = JSON.stringify(raw, (key, value: unknown) => (/pass(word)?|secret|token/i.test(key) ? '***' : value));
    if (text === undefined) return null;
    return text.length > 500 ? `${text.slice(0, 500)}…` : JSON.parse(text);
  } catch {
    return String(raw).slice(0, 200);
  }
}

/** A FormData's fields as a plain object (a form posts FormData; client code posts objects). */
export function formInput(raw: unknown): unknown {
  if (typeof FormData !== 'undefined' && raw instanceof FormData) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of raw) if (typeof value === 'string' && !(key in fields) && !key.startsWith('$ACTION')) fields[key] = value;
    return fields;
  }
  return raw;
}

/** Runs one action call through the guard. Never throws. */
export async function runGuarded<A extends Access, S extends z.ZodType, T extends object>(
  def: ActionDefinition<A, S, T>,
  token: string | undefined,
  rawInput: unknown,
  deps: GuardDeps,
): Promise<ActionResult<T>> {
  let session: Session | null = null;
  const audit = async (entry: Omit<AuditEntry, 'action' | 'session'>) => {
    if (def.access !== 'admin' || !session) return;
    await deps.audit({ action: def.name, session, ...entry }).catch((error: unknown) => {
      console.error(`[actions] ${def.name}: could not record the call in the history: ${(error as Error).message}`);
    });
  };
  try {
    const signed = await verifySessionToken(token, deps.secret());
    session = signed && (await deps.isCurrent(signed)) ? signed : null;
    if (def.access !== 'public' && !session) return refuse('unauthenticated', REFUSED.unauthenticated);
    if (def.access === 'admin' && session?.role !== 'admin') {
      await audit({ outcome: 'forbidden', params: paramsForAudit(formInput(rawInput)), error: REFUSED.forbidden });
      return refuse('forbidden', REFUSED.forbidden);
    }
    const input = def.schema.safeParse(formInput(rawInput));
    if (!input.success) {
      const issues = zodIssueLines(input.error);
      await audit({ outcome: 'invalid', params: paramsForAudit(formInput(rawInput)), error: issues.join('; ') });
      return refuse('invalid', REFUSED.invalid, { issues });
    }
    const result = await def.handler(input.data, { session: session as ActionSession<A>, db: deps.db });
    const ran = result as { run_id?: unknown; generation?: unknown };
    await audit({
      outcome: result.ok ? 'ok' : result.code,
      params: paramsForAudit(input.data),
      ...(result.ok ? {} : { error: result.error }),
      ...(typeof ran.run_id === 'string' ? { run_id: ran.run_id } : {}),
      ...(typeof ran.generation === 'string' ? { generation: ran.generation } : {}),
    });
    return result;
  } catch (error) {
    const unreachable = isUnreachableError(error);
    console.error(`[actions] ${def.name} failed:`, error);
    // The history is readable by viewers too: it gets the (password-free) unreachable reason or nothing.
    await audit({ outcome: 'failed', params: paramsForAudit(formInput(rawInput)), error: unreachable ? (error as Error).message : REFUSED.failed });
    return refuse('failed', unreachable ? REFUSED.unreachable : REFUSED.failed);
  }
}

import type { z } from 'zod';
import { sessionFromRequest } from '../auth/current-session';
import type { Session } from '../auth/session';
import { firstParam } from '../console/urls';
import { isUnreachableError } from '../db/client';
import { ConfigError } from '../env';
import { zodIssueLines } from '../zod-issues';
import type { ErrorBody } from './error-body';

/** An error a handler throws to answer with this status and message (the message is shown to the caller). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type RouteHandler = (request: Request) => Promise<Response>;
export type GuardedHandler = (request: Request, session: Session) => Promise<Response>;

const json = (status: number, error: string) => Response.json({ error } satisfies ErrorBody, { status, headers: { 'Cache-Control': 'no-store' } });

/**
 * A request's query string validated with `schema`; every problem is named in one 400 answer.
 * Each key is read as the pages read it (firstParam: its first value, empty as absent).
 */
export function parseQuery<S extends z.ZodType>(schema: S, url: string): z.output<S> {
  const params = new URL(url).searchParams;
  const query = Object.fromEntries([...new Set(params.keys())].map((key) => [key, firstParam(params, key)]));
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    throw new HttpError(400, zodIssueLines(parsed.error).join('; '));
  }
  return parsed.data;
}

/**
 * Every GET route handler goes through this one wrapper. It answers 401 unless the request carries
 * a valid, unrevoked session cookie (any role: viewers read everything), before `handler` runs, so that no
 * route can forget it. It turns a thrown error into a JSON answer: an HttpError as itself, an
 * unreachable database as 503 with its (password-free) reason, anything else as 500 without
 * internals (logged on the server). Web-standard Request/Response only: it lives in lib/, outside Next.
 * `options.session` replaces the session check in unit tests that have no database.
 */
export function guarded(handler: GuardedHandler, options: { session?: (request: Request) => Promise<Session | null> } = {}): RouteHandler {
  const readSession = options.session ?? ((request: Request) => sessionFromRequest(request));
  return async (request) => {
    try {
      const session = await readSession(request);
      if (!session) return json(401, 'sign in first: this needs a session');
      return await handler(request, session);
    } catch (error) {
      const answer = publicError(error, `${request.method} ${new URL(request.url).pathname}`);
      return json(answer.status, answer.message);
    }
  };
}

/**
 * The one error policy: what the browser may be told about `error`, by route handlers and by pages
 * whose server render failed alike. An HttpError as itself, an unreachable database as 503 with its
 * (password-free) reason, anything else without internals (logged on the server as `what` failed).
 */
export function publicError(error: unknown, what: string): { status: number; message: string } {
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  if (isUnreachableError(error)) return { status: 503, message: `database unavailable: ${error.message}` };
  console.error(`${what} failed:`, error);
  // A configuration message may echo a variable's value (a URI with its password): not shown.
  if (error instanceof ConfigError) return { status: 503, message: 'the server is not configured to reach its database; see the server log' };
  return { status: 500, message: 'internal error; see the server log' };
}

import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../support/cli';
import type { ConsoleServer } from './console-server';

/** A server action of the production build, from its server reference manifest. */
export interface ServerActionRef {
  id: string;
  exportedName: string;
  filename: string;
  /** A page whose bundle holds the action: POST there with the action's id. */
  pagePath: string;
}

interface Manifest {
  node: Record<string, { workers: Record<string, unknown>; exportedName?: string; filename?: string }>;
  edge: Record<string, unknown>;
}

/** `app/dashboards/[id]/page` -> `/dashboards/x`; `app/page` -> `/`. */
function workerPath(worker: string): string {
  const route = worker
    .replace(/^app/, '')
    .replace(/\/page$/, '')
    .replace(/\[\.{0,3}[^\]]+\]/g, 'x');
  return route === '' ? '/' : route;
}

/**
 * Every server action the build can run: `.next/server/server-reference-manifest.json` lists each
 * action that some page references, with its export name and source file (what a client could call).
 */
export function buildServerActions(root = PROJECT_ROOT): ServerActionRef[] {
  const manifest = JSON.parse(readFileSync(path.join(root, '.next/server/server-reference-manifest.json'), 'utf8')) as Manifest;
  return Object.entries(manifest.node).map(([id, entry]) => {
    const workers = Object.keys(entry.workers).filter((w) => w !== 'app/_not-found/page');
    // A page without dynamic segments if there is one.
    const worker = workers.find((w) => !w.includes('[')) ?? workers[0] ?? 'app/page';
    return { id, exportedName: entry.exportedName ?? '(unknown)', filename: entry.filename ?? '(unknown)', pagePath: workerPath(worker) };
  });
}

export interface SourceAction {
  file: string;
  name: string;
  /** The guard the export is built with, or null when it is not built with one. */
  builder: 'publicAction' | 'signedInAction' | 'adminAction' | null;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx|js|jsx|mjs)$/.test(entry)) yield full;
  }
}

/**
 * The server actions in the source: every export of a module that starts with "use server", and
 * every function with an inline "use server" (which cannot go through the guard, so it is reported
 * with `builder: null`).
 */
export function sourceServerActions(root = PROJECT_ROOT): SourceAction[] {
  const found: SourceAction[] = [];
  for (const dir of ['app', 'components', 'lib']) {
    for (const file of sourceFiles(path.join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      const relative = path.relative(root, file);
      const code = text.replace(/^\s*(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\s*)*/, '');
      const moduleLevel = /^['"]use server['"]/.test(code);
      if (moduleLevel) {
        for (const match of text.matchAll(/^export\s+(?:const|let|var)\s+(\w+)\s*=\s*(\w+)?/gm)) {
          const builder = ['publicAction', 'signedInAction', 'adminAction'].includes(match[2] ?? '') ? (match[2] as SourceAction['builder']) : null;
          found.push({ file: relative, name: match[1]!, builder });
        }
        for (const match of text.matchAll(/^export\s+(?:default\s+)?(?:async\s+)?function\s*(\w*)/gm))
          found.push({ file: relative, name: match[1] || 'default', builder: null });
        for (const match of text.matchAll(/^export\s*\{([^}]*)\}/gm)) {
          for (const name of match[1]!
            .split(',')
            .map((s) =>
              s
                .trim()
                .split(/\s+as\s+/)
                .pop()!,
            )
            .filter(Boolean))
            found.push({ file: relative, name, builder: null });
        }
      }
      // An inline action: a function body that starts with the directive.
      const inline = [...text.matchAll(/\{\s*['"]use server['"]/g)].length;
      for (let i = 0; i < inline; i += 1) found.push({ file: relative, name: `(inline action ${i + 1})`, builder: null });
    }
  }
  return found;
}

export interface ActionCall {
  status: number;
  /** The action's return value, when it returned one. */
  result: Record<string, unknown> | null;
  /** Where the action sent the browser (`redirect()`), if anywhere. */
  redirect: string | null;
  setCookies: string[];
  body: string;
}

/** The value a server action returned, from its Flight (RSC) answer: row 0 names the row holding it. */
export function actionReturnValue(body: string): Record<string, unknown> | null {
  const rows = new Map<string, string>();
  for (const line of body.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) rows.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const head = rows.get('0');
  if (!head) return null;
  const ref = /"a":"\$@(\w+)"/.exec(head)?.[1];
  const row = ref ? rows.get(ref) : undefined;
  if (!row) return null;
  try {
    return JSON.parse(row) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Calls a server action over HTTP, as the browser does: a POST with its id in `Next-Action`. */
export async function callAction(server: ConsoleServer, action: ServerActionRef, args: unknown[], cookie?: string): Promise<ActionCall> {
  const response = await fetch(`${server.url}${action.pagePath}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Next-Action': action.id,
      'Content-Type': 'text/plain;charset=UTF-8',
      Accept: 'text/x-component',
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: JSON.stringify(args),
  });
  const body = await response.text();
  return {
    status: response.status,
    result: actionReturnValue(body),
    redirect: response.headers.get('x-action-redirect'),
    setCookies: response.headers.getSetCookie(),
    body,
  };
}

export function findAction(name: string, root = PROJECT_ROOT): ServerActionRef {
  const action = buildServerActions(root).find((a) => a.exportedName === name);
  if (!action) throw new Error(`no server action ${name} in the build`);
  return action;
}

/**
 * Signs in through the console's own sign-in action (the form's), over HTTP, and returns the
 * `Cookie` header value of the session it set.
 */
export async function signInCookie(server: ConsoleServer, user: { email: string; password: string }): Promise<string> {
  const call = await callAction(server, findAction('signInAction'), [null, { email: user.email, password: user.password, next: '/' }]);
  const cookie = call.setCookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('console_session=') && c !== 'console_session=');
  if (!cookie) throw new Error(`signing in as ${user.email} set no session: ${call.status} ${JSON.stringify(call.result)}`);
  return cookie;
}

/**
 * Who may call what, over HTTP against the production build (`next start`): every server action the
 * build contains, every route handler and every page, without a session and as a viewer.
 *
 * The actions are found in the build's server reference manifest (what a client can call), and
 * the source is scanned for "use server" modules and inline actions: an action that is not built
 * with the guard, or that does not refuse, fails this file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_FAILED } from '../../lib/auth/sign-in';
import { CONSOLE_SESSIONS, INIT_HISTORY, INITIALIZATION, LOCK_ID } from '../../lib/db/collections';
import { PROJECT_ROOT, runCli } from '../support/cli';
import { TEST_PASSWORDS } from '../support/seeds';
import { snapshot } from '../support/snapshot';
import { buildServerActions, callAction, signInCookie, sourceServerActions, type ServerActionRef } from './support/actions';
import { ADMIN, VIEWER, startConsole, type ConsoleServer } from './support/console-server';

/**
 * The only actions that are not admin-only, and why. Any other action must refuse anyone who is not
 * a signed-in admin; adding one here is a decision, reviewed like one.
 */
const NOT_ADMIN_ONLY: Record<string, 'public'> = {
  signInAction: 'public', // signing in needs no session; its refusals are the one sign-in message
  signOutAction: 'public', // clears the caller's own cookie, nothing else
};

let server: ConsoleServer;
let mongo: MongoClient;
let db: Db;
let viewerCookie: string;
let actions: ServerActionRef[];

beforeAll(async () => {
  server = await startConsole();
  const seeded = await runCli('workers', ['-n', '2'], { MONGODB_URI: server.dbUri, MONGODB_DB: server.dbName, ...TEST_PASSWORDS });
  if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stdout}\n${seeded.stderr}`);
  mongo = await new MongoClient(server.dbUri).connect();
  db = mongo.db(server.dbName);
  viewerCookie = await signInCookie(server, VIEWER);
  actions = buildServerActions();
});

afterAll(async () => {
  await mongo?.close();
  await server?.stop();
});

/** An input every admin action would accept (zod drops the fields it does not know): refusal must come from the guard. */
async function plausibleInput(): Promise<Record<string, unknown>> {
  const lock = await db.collection(INITIALIZATION).findOne({ _id: LOCK_ID } as never);
  return {
    seen_state: 'none',
    confirm_database: server.dbName,
    fence: lock?.fence ?? 0,
    confirm_worker_id: lock?.holder?.worker_id ?? '',
  };
}

describe('server actions', () => {
  it('the build and the source agree on the actions, and every one is built with the guard', () => {
    const source = sourceServerActions();
    const unguarded = source.filter((a) => a.builder === null);
    expect(unguarded, 'every action must be publicAction/signedInAction/adminAction (app/_lib/actions.ts)').toEqual([]);
    for (const action of source) {
      if (action.builder !== 'adminAction') expect(NOT_ADMIN_ONLY[action.name], `${action.name} is not admin-only`).toBeDefined();
    }
    expect(actions.length).toBeGreaterThanOrEqual(5);
    for (const action of actions) {
      expect(
        source.some((s) => s.name === action.exportedName && s.file === action.filename),
        `${action.exportedName} (${action.filename})`,
      ).toBe(true);
    }
    expect(actions.map((a) => a.exportedName)).toEqual(
      expect.arrayContaining(['signInAction', 'signOutAction', 'reseedAction', 'seedMissingAction', 'forceReleaseAction']),
    );
  });

  it('refuses every admin action without a session and as a viewer, and the database is unchanged', async () => {
    const historyBefore = await db.collection(INIT_HISTORY).countDocuments();
    const before = await snapshot(db);
    const input = await plausibleInput();
    const adminOnly = actions.filter((a) => !NOT_ADMIN_ONLY[a.exportedName]);
    expect(adminOnly.length).toBeGreaterThanOrEqual(3);
    for (const action of adminOnly) {
      // As the client calls them (one argument), and as a form would (previous state, then the input).
      for (const args of [[input], [null, input]]) {
        const anonymous = await callAction(server, action, args);
        expect(anonymous.status, `${action.exportedName} without a session`).toBe(200);
        expect(anonymous.result, `${action.exportedName} without a session: ${anonymous.body.slice(0, 300)}`).toEqual({
          ok: false,
          code: 'unauthenticated',
          error: 'Sign in first.',
        });
        const viewer = await callAction(server, action, args, viewerCookie);
        expect(viewer.result, `${action.exportedName} as a viewer: ${viewer.body.slice(0, 300)}`).toEqual({
          ok: false,
          code: 'forbidden',
          error: 'Only admins can do this.',
        });
      }
    }
    const historyAfterCount = await db.collection(INIT_HISTORY).countDocuments();
    // Not one document changed. The history gained the viewer's refused calls (who, what, refused), nothing else.
    const after = await snapshot(db);
    const { [INIT_HISTORY]: historyAfterDocs, ...restAfter } = after;
    const { [INIT_HISTORY]: historyBeforeDocs, ...restBefore } = before;
    expect(restAfter).toEqual(restBefore);
    const key = (doc: { _id?: unknown }) => JSON.stringify(doc._id);
    const known = new Set((historyBeforeDocs ?? []).map(key));
    expect((historyAfterDocs ?? []).filter((doc) => known.has(key(doc)))).toEqual(historyBeforeDocs);
    const added = (historyAfterDocs ?? []).filter((doc) => !known.has(key(doc)));
    expect(added).toHaveLength(historyAfterCount - historyBefore);
    // Counted, one document per user per minute (two when the calls span a minute's turn).
    expect(added.length).toBeGreaterThanOrEqual(1);
    expect(added.length).toBeLessThanOrEqual(2);
    expect(added.reduce((n, doc) => n + (doc.detail as { count: number }).count, 0)).toBe(adminOnly.length * 2);
    for (const event of added) {
      expect(event).toMatchObject({
        event: 'admin-action',
        worker_id: `admin:${VIEWER.email}`,
        detail: { by: VIEWER.email, role: 'viewer', outcome: 'forbidden' },
      });
    }
  });

  it('the public ones: sign-in refuses a malformed call with the one sign-in message; sign-out only clears the cookie', async () => {
    const before = await snapshot(db);
    const signIn = actions.find((a) => a.exportedName === 'signInAction')!;
    for (const cookie of [undefined, viewerCookie]) {
      const call = await callAction(server, signIn, [null, {}], cookie);
      expect(call.result).toEqual({ ok: false, code: 'invalid', error: SIGN_IN_FAILED });
      expect(call.setCookies).toEqual([]);
    }
    const signOut = actions.find((a) => a.exportedName === 'signOutAction')!;
    const out = await callAction(server, signOut, [null, {}], viewerCookie);
    expect(out.redirect).toMatch(/^\/sign-in/);
    expect(out.setCookies).toHaveLength(1);
    expect(out.setCookies[0]).toMatch(/^console_session=;.*Max-Age=0/i);
    // Sign-out also revokes the viewer's sessions (their epoch in console_sessions), nothing else.
    const { [CONSOLE_SESSIONS]: sessionsAfter, ...after } = await snapshot(db);
    const { [CONSOLE_SESSIONS]: sessionsBefore, ...unchanged } = before;
    expect(after).toEqual(unchanged);
    const epoch = (docs: typeof sessionsAfter) => docs?.find((d) => d.email === VIEWER.email)?.epoch as number;
    expect(epoch(sessionsAfter)).toBe(epoch(sessionsBefore) + 1);
    expect((await fetch(`${server.url}/api/overview`, { headers: { cookie: viewerCookie } })).status).toBe(401);
    viewerCookie = await signInCookie(server, VIEWER);
  });

  it('an admin passes the same guard (so the refusals above are about the caller, not the call)', async () => {
    const admin = await signInCookie(server, ADMIN);
    const forceRelease = actions.find((a) => a.exportedName === 'forceReleaseAction')!;
    const call = await callAction(server, forceRelease, [{ fence: -1 }], admin);
    expect(call.result).toMatchObject({ ok: false, code: 'invalid', issues: expect.arrayContaining([expect.stringMatching(/^fence: /)]) });
    const recorded = await db.collection(INIT_HISTORY).findOne({ event: 'admin-action', 'detail.by': ADMIN.email, 'detail.action': 'force-release' });
    expect(recorded?.detail).toMatchObject({ outcome: 'invalid', params: { fence: -1 } });
  });
});

describe('route handlers and pages', () => {
  const appPaths = () =>
    Object.keys(JSON.parse(readFileSync(path.join(PROJECT_ROOT, '.next/server/app-paths-manifest.json'), 'utf8')) as Record<string, string>);

  it('every route handler but /api/health answers 401 without a session, and answers a viewer', async () => {
    const routes = appPaths()
      .filter((p) => p.endsWith('/route'))
      .map((p) => p.replace(/\/route$/, ''));
    expect(routes).toEqual(expect.arrayContaining(['/api/overview', '/api/status', '/api/health', '/api/audit']));
    for (const route of routes) {
      const anonymous = await fetch(`${server.url}${route}`, { redirect: 'manual' });
      if (route === '/api/health') {
        expect(anonymous.status).toBe(200);
        continue;
      }
      expect(anonymous.status, route).toBe(401);
      expect(await anonymous.json()).toEqual({ error: 'sign in first: this needs a session' });
      const viewer = await fetch(`${server.url}${route}`, { headers: { cookie: viewerCookie }, redirect: 'manual' });
      expect(viewer.status, `${route} as a viewer`).toBeLessThan(400);
    }
  });

  it('every page but the sign-in page sends a signed-out visitor to sign in, and back after; a viewer sees them all', async () => {
    const pages = appPaths()
      .filter((p) => p.endsWith('/page') && !p.startsWith('/_'))
      .map((p) => p.replace(/\/page$/, '') || '/')
      .map((p) => p.replace(/\[[^\]]+\]/g, '6824cb3b89d2b72169309737'));
    expect(pages).toEqual(expect.arrayContaining(['/', '/workers', '/projects', '/dashboards', '/sign-in']));
    for (const page of pages) {
      const anonymous = await fetch(`${server.url}${page}?a=1`, { redirect: 'manual' });
      if (page === '/sign-in') {
        expect(anonymous.status).toBe(200);
        continue;
      }
      expect(anonymous.status, page).toBe(307);
      expect(anonymous.headers.get('location'), page).toBe(`/sign-in?next=${encodeURIComponent(`${page}?a=1`)}`);
      const viewer = await fetch(`${server.url}${page}`, { headers: { cookie: viewerCookie }, redirect: 'manual' });
      expect(viewer.status, `${page} as a viewer`).toBe(200);
    }
  });
});

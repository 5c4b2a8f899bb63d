import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE, sessionSecret, verifySessionToken } from './lib/auth/session';

/**
 * Sends signed-out visitors of a page to the sign-in page, and back after. A convenience, not the
 * boundary: every page, route handler and server action checks the session itself. Only page
 * loads are redirected (GET/HEAD); an action's POST goes through to the action, whose guard answers.
 */
export async function proxy(request: NextRequest) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return NextResponse.next();
  const session = await verifySessionToken(request.cookies.get(SESSION_COOKIE)?.value, sessionSecret()).catch(() => null);
  if (session) return NextResponse.next();
  const target = new URL('/sign-in', request.url);
  target.searchParams.set('next', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(target);
}

export const config = {
  // Not: the sign-in page, the route handlers (they answer 401 themselves, as JSON), Next's assets.
  matcher: ['/((?!sign-in|api/|_next/static|_next/image|favicon\\.ico|robots\\.txt).*)'],
};

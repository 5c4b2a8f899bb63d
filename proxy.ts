import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE, sessionSecret, verifySessionToken } from './lib/auth/session';
import { signInUrl } from './lib/console/urls';
import { config as consoleConfig } from './lib/env';
import { NONCE_HEADER, newNonce, pageContentSecurityPolicy } from './lib/http/security-headers';

/**
 * Every page load passes here. It gives the page its Content-Security-Policy with a fresh nonce
 * (on the request, where Next.js reads the nonce for its own scripts, and on the response), and it
 * sends signed-out visitors to the sign-in page, and back after. The redirect is a convenience,
 * not the boundary: it checks only the token's signature, while every page, route handler and
 * server action checks the session itself, revocation included. Only page loads are redirected
 * (GET/HEAD); an action's POST goes through to the action, whose guard answers.
 * The headers that do not change per response (frame, referrer, sniffing, HSTS) and the route
 * handlers' policy come from next.config.js.
 */
export async function proxy(request: NextRequest) {
  const nonce = newNonce();
  const csp = pageContentSecurityPolicy(nonce, { development: consoleConfig().NODE_ENV === 'development' });
  const isPageLoad = request.method === 'GET' || request.method === 'HEAD';
  if (isPageLoad && request.nextUrl.pathname !== '/sign-in') {
    const session = await verifySessionToken(request.cookies.get(SESSION_COOKIE)?.value, sessionSecret()).catch(() => null);
    if (!session) {
      return NextResponse.redirect(new URL(signInUrl(`${request.nextUrl.pathname}${request.nextUrl.search}`), request.url));
    }
  }
  const headers = new Headers(request.headers);
  headers.set(NONCE_HEADER, nonce);
  headers.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  // Not: the route handlers (they answer 401 themselves, as JSON; their policy is in next.config.js), Next's assets.
  matcher: ['/((?!api/|_next/static|_next/image|favicon\\.ico|robots\\.txt).*)'],
};

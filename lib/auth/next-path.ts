/**
 * Where to go after signing in: a path on this console only (never `//host` or `https://…`, which
 * would make the sign-in page an open redirect), and never back to the sign-in page.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f]/.test(next)) return '/';
  const url = new URL(next, 'http://console.invalid');
  if (url.origin !== 'http://console.invalid' || url.pathname === '/sign-in') return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The Content-Security-Policy of the console's pages: scripts only with this response's nonce
 * (Next.js puts it on its own inline scripts when it finds it in the request's CSP header), and what
 * they load ('strict-dynamic'); nothing from other origins; no framing. Styles allow inline
 * `style` attributes (React renders some, e.g. the timeline's positions): a style cannot run code.
 * Development adds 'unsafe-eval' for React's dev tooling.
 */
export function pageContentSecurityPolicy(nonce: string, options: { development: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A fresh nonce for one response: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The request header the pages read the nonce from (app/layout.tsx, for scripts of its own). */
export const NONCE_HEADER = 'x-nonce';

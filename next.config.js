const production = process.env.NODE_ENV === 'production';

/**
 * Headers on every response, pages and route handlers alike. The pages' Content-Security-Policy
 * needs a nonce per response and comes from proxy.ts; route handlers answer data, never a
 * document to run, so theirs allows nothing at all. HSTS only in production (a development server
 * on plain http must stay reachable).
 */
const everywhere = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  ...(production ? [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }] : []),
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The driver and the tools the server runs stay as Node packages, not bundled.
  serverExternalPackages: ['mongodb', 'mongodb-memory-server-core', 'esbuild', 'bcryptjs'],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      { source: '/:path*', headers: everywhere },
      {
        source: '/api/:path*',
        headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" }],
      },
    ];
  },
};

export default nextConfig;

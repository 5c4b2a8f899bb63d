/** @type {import('next').NextConfig} */
const nextConfig = {
  // The driver and the tools the server runs stay as Node packages, not bundled.
  serverExternalPackages: ['mongodb', 'mongodb-memory-server-core', 'esbuild', 'bcryptjs'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;

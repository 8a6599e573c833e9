/**
 * Next.js configuration of the Txline dashboard (app/, components/). Server code reaches lib/ directly;
 * native modules stay outside the server bundle.
 *
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  // better-sqlite3 and zstd-napi are native addons: load them from node_modules at run time, never bundle them.
  serverExternalPackages: ['better-sqlite3', 'zstd-napi'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;

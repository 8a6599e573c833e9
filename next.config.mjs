/**
 * Next.js configuration of the Txline dashboard (app/, components/). Server code reaches lib/ directly;
 * native modules stay outside the server bundle.
 *
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  // better-sqlite3, zstd-napi and @node-rs/xxhash are native addons: load them from node_modules at run time,
  // never bundle them.
  serverExternalPackages: ['better-sqlite3', 'zstd-napi', '@node-rs/xxhash'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;

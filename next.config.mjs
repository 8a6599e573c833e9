/**
 * Next.js configuration of the Txline dashboard (app/, components/). Server code reaches lib/ directly;
 * native modules stay outside the server bundle.
 *
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  // better-sqlite3 is a native addon: load it from node_modules at run time, never bundle it.
  serverExternalPackages: ['better-sqlite3'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;

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
  // Types are checked once, by `npm test` (and `npm run typecheck`): `next typegen` writes the route types and
  // `tsc --noEmit` checks them with lib/, the tests and the rest. The build does not check them a second time
  // (that was 38 s of every build, `npm start`'s first one included).
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;

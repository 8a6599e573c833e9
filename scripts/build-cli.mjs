#!/usr/bin/env node
// Bundles the `txline` CLI (lib/cli/main.ts and what it imports) into dist/txline.mjs with esbuild, so
// CLI and member processes start without the TypeScript loader (faster, ~35 MB less memory each).
// bin/txline.mjs uses the bundle when it is newer than every lib/ source file, else runs the sources.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// --outdir DIR builds elsewhere than dist/, --metafile FILE writes esbuild's account of the build (what each
// chunk holds and imports: tests/cli-start.test.ts reads it).
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? null : process.argv[i + 1];
};
const outdir = path.resolve(arg('--outdir') ?? path.join(root, 'dist'));
const metafile = arg('--metafile');
const t0 = Date.now();
// Chunk names carry content hashes: start empty so that chunks of earlier builds do not pile up.
fs.rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [path.join(root, 'lib/cli/main.ts')],
  outdir,
  entryNames: 'txline',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies are bundled too, except the native modules: Node's module loader took ~200 ms to find and
  // compile some 300 files of zod, pino, tar and commander at every start (`txline --help`: 0.44 -> 0.29 s,
  // with whitespace and syntax minified; identifiers stay readable in stack traces).
  external: ['better-sqlite3', 'zstd-napi', '@node-rs/xxhash'],
  // Classic zod stays in node_modules, loaded by the chunks that use it (the members' request bodies, the job
  // protocol): bundled, the part of zod's core it needs landed in a chunk every process loads at start, with
  // the zod/mini that lib/env.ts and the artifact metadata use (lib/zod-mini.ts). Its subpaths are bundled.
  plugins: [{ name: 'classic-zod-external', setup: (b) => b.onResolve({ filter: /^zod$/ }, () => ({ path: 'zod', external: true })) }],
  // Bundled CommonJS code calls require() for Node's own modules.
  banner: { js: "import { createRequire as __txlineRequire } from 'node:module'; const require = __txlineRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  // Modules the CLI imports lazily (benchmarks, the web server's catalog) become chunks loaded on demand, so
  // a backup or member process does not load drizzle, undici and the rest at start.
  splitting: true,
  metafile: metafile !== null,
});
if (metafile) fs.writeFileSync(metafile, JSON.stringify(result.metafile));
if (!process.argv.includes('--quiet')) console.log(`built ${path.relative(root, outdir) || outdir}/txline.mjs in ${Date.now() - t0} ms`);

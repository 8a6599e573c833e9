#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2
// (The shebang keeps backup and restore processes small: fewer malloc arenas for the thread pool's
// compression work, and a smaller young generation; see lib/paths.ts, which gives child processes the same.)
// The `txline` command. Runs the bundled CLI (dist/txline.mjs, built by scripts/build-cli.mjs) when it is
// newer than every source file under lib/, otherwise the TypeScript sources through tsx.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundle = path.join(root, 'dist', 'txline.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.TXLINE_FROM_SOURCE === '1') return false;
  try {
    return fs.statSync(bundle).mtimeMs >= newestSource(path.join(root, 'lib'));
  } catch {
    return false;
  }
}

let entry;
if (bundleIsFresh()) {
  entry = await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import(pathToFileURL(path.join(root, 'lib', 'cli', 'main.ts')).href);
}
await entry.main(process.argv.slice(2));

/**
 * What every `txline` process loads at start: the modules lib/cli/main.ts reaches through static imports, as
 * esbuild bundles them (scripts/build-cli.mjs). Backups, restores and members are CLI processes, so their
 * start counts against a backup's time: classic zod, the Neo4j driver and drizzle are loaded by the commands
 * that use them (`import()`), not by every process (lib/zod-mini.ts). The second case proves the check sees a
 * static import of each.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** packages reached from `entry` through static imports (dynamic import() is where they may be) */
async function staticPackages(entry: string): Promise<Set<string>> {
  const r = await build({
    entryPoints: [path.join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    external: ['better-sqlite3', 'zstd-napi'],
    write: false,
    metafile: true,
    splitting: true,
    outdir: path.join(ROOT, 'dist-unused'),
    logLevel: 'silent',
  });
  const inputs = r.metafile.inputs;
  const reached = new Set([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    for (const i of inputs[queue.shift() as string]?.imports ?? []) {
      if ((i.kind === 'import-statement' || i.kind === 'require-call') && !i.external && !reached.has(i.path)) {
        reached.add(i.path);
        queue.push(i.path);
      }
    }
  }
  const packages = new Set<string>();
  for (const f of reached) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(f);
    if (m) packages.add(m[1] === 'zod' && m[2].startsWith('v4/classic/') ? 'zod (classic)' : m[1]);
  }
  return packages;
}

const LOADED_ON_DEMAND = ['zod (classic)', 'neo4j-driver', 'neo4j-driver-core', 'drizzle-orm'];

describe('what a txline process loads at start', () => {
  it('leaves classic zod, the Neo4j driver and drizzle to the commands that use them', async () => {
    const packages = await staticPackages('lib/cli/main.ts');
    expect(packages.has('commander')).toBe(true); // (the walk reached the dependencies)
    expect(LOADED_ON_DEMAND.filter((p) => packages.has(p))).toEqual([]);
  }, 60_000);

  it('sees a static import of each (modules that import them)', async () => {
    expect((await staticPackages('lib/jobs/protocol.ts')).has('zod (classic)')).toBe(true);
    expect((await staticPackages('lib/sources/neo4j/argv.ts')).has('neo4j-driver-core')).toBe(true);
    expect((await staticPackages('lib/db/index.ts')).has('drizzle-orm')).toBe(true);
  }, 60_000);
});

/**
 * What every `txline` process loads at start: the chunks of the CLI's bundle (scripts/build-cli.mjs, built here
 * into a temporary folder with esbuild's account of it) that dist/txline.mjs reaches through static imports.
 * Backups, restores and members are CLI processes, so their start counts against a backup's time: classic zod,
 * the Neo4j driver, drizzle and most of tar are loaded by the commands that use them (`import()`), not by every
 * process (lib/zod-mini.ts). The same walk from the chunks that do use them proves it sees each.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Metafile {
  outputs: Record<string, { imports: Array<{ path: string; kind: string; external?: boolean }>; inputs: Record<string, unknown> }>;
}

let dir = '';
let meta: Metafile;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-cli-start-'));
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs'), '--quiet', '--outdir', path.join(dir, 'dist'), '--metafile', path.join(dir, 'meta.json')], { cwd: ROOT });
  meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Metafile;
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What loading the output chunk `from` loads with it: its static imports' chunks, their source files and external packages. */
function loadedWith(from: string): { inputs: string[]; externals: string[] } {
  const seen = new Set([from]);
  const queue = [from];
  const externals = new Set<string>();
  while (queue.length > 0) {
    for (const i of meta.outputs[queue.shift() as string].imports) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) externals.add(i.path);
      else if (!seen.has(i.path)) {
        seen.add(i.path);
        queue.push(i.path);
      }
    }
  }
  return { inputs: [...seen].flatMap((o) => Object.keys(meta.outputs[o].inputs)), externals: [...externals] };
}

const entry = () => Object.keys(meta.outputs).find((o) => o.endsWith('/txline.mjs')) as string;
/** the output chunk that holds a source file */
const chunkOf = (input: string) => Object.keys(meta.outputs).find((o) => !o.endsWith('.map') && input in meta.outputs[o].inputs) as string;

/** what must not be loaded: the package named (classic zod as the external 'zod' or bundled) */
function unwanted(l: { inputs: string[]; externals: string[] }): string[] {
  const found = new Set<string>();
  if (l.externals.includes('zod')) found.add('zod (classic, external)');
  // (a native addon, required when a restore's copy is first checked: lib/readback.ts)
  if (l.externals.includes('@node-rs/xxhash')) found.add('@node-rs/xxhash');
  for (const i of l.inputs) {
    if (i.includes('node_modules/zod/v4/classic/')) found.add('zod (classic)');
    if (/node_modules\/zod\/v4\/locales\/(?!en\.js)/.test(i)) found.add('zod locales');
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1];
    if (pkg === 'neo4j-driver' || pkg === 'neo4j-driver-core' || pkg === 'drizzle-orm') found.add(pkg);
    if (i.includes('node_modules/tar/') && !/node_modules\/tar\/dist\/esm\/(header|large-numbers|types)\.js$/.test(i)) found.add('tar (more than its Header)');
  }
  return [...found].sort();
}

describe('what a txline process loads at start', () => {
  it('leaves classic zod, the Neo4j driver, drizzle and most of tar to the commands that use them', () => {
    const start = loadedWith(entry());
    expect(start.inputs).toContain('lib/env.ts'); // (the walk reached the start's modules)
    expect(start.inputs.some((i) => i.includes('node_modules/commander/'))).toBe(true);
    expect(unwanted(start)).toEqual([]);
  });

  it('opens the catalog without the job protocol\'s classic zod (cluster list, --cluster backups)', () => {
    expect(unwanted(loadedWith(chunkOf('lib/db/index.ts')))).toEqual(['drizzle-orm']);
  });

  it('sees each where it is loaded', () => {
    expect(unwanted(loadedWith(chunkOf('lib/jobs/protocol.ts')))).toContain('zod (classic, external)');
    expect(unwanted(loadedWith(chunkOf('lib/sources/neo4j/values.ts')))).toContain('neo4j-driver-core');
  });
});

describe('zod/mini', () => {
  it("is imported with lib/zod-mini.ts wherever it is used (zod's English messages, not a bare \"Invalid input\")", () => {
    const users: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, d), { withFileTypes: true })) {
        const rel = path.join(d, e.name);
        if (e.isDirectory()) walk(rel);
        else if (/\.tsx?$/.test(e.name) && /from 'zod\/mini'/.test(fs.readFileSync(path.join(ROOT, rel), 'utf8'))) users.push(rel);
      }
    };
    for (const d of ['lib', 'app', 'components']) walk(d);
    expect(users).toContain('lib/env.ts');
    const without = users.filter((f) => f !== 'lib/zod-mini.ts' && !/import (?:\{[^}]*\} from )?'(?:\.\.?\/)+zod-mini'/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(without).toEqual([]);
  });
});

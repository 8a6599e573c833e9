/**
 * The layering of lib/ (DESIGN.md, "Seams"): the backup engine and the embedded cluster stay apart. Both build on
 * lib/graph (the graph model and its formats) and lib/fs.ts; neither imports the other, so a second kind of
 * cluster never has to bring the embedded one along, and the embedded cluster never depends on how backups
 * are made. Every import of every non-test module is read with TypeScript's own pre-processor (static imports,
 * re-exports, dynamic `import()` and `require`), resolved, and checked against the rules below. The fixture case
 * proves that a violation in each form is caught.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** folder (relative to the root) -> folders its modules must not import */
const RULES: Record<string, string[]> = {
  // the engine is generic: no cluster, no kind, of the graph model only the container's codecs and names, and
  // storage only through the Location interface and its factory (lib/storage/index.ts), so a second storage
  // kind (S3) slots in without touching it
  'lib/engine': ['lib/cluster', 'lib/sources', 'lib/storage/local', 'lib/graph/store', 'lib/graph/record', 'lib/graph/apply', 'lib/graph/ops'],
  'lib/db': ['lib/storage/local'],
  'lib/cluster': ['lib/engine'],
  // nothing above lib/sources speaks a cluster's wire protocol (the member API of the txline kind)
  'lib/monitor': ['lib/cluster/client', 'lib/cluster/member-http'],
  'lib/cli': ['lib/cluster/client', 'lib/cluster/member-http'],
  'lib/dashboard': ['lib/cluster/client', 'lib/cluster/member-http', 'lib/cluster/token'],
  app: ['lib/cluster/client', 'lib/cluster/member-http'],
  components: ['lib/cluster/client', 'lib/cluster/member-http'],
  'lib/graph': ['lib/engine', 'lib/cluster', 'lib/dashboard', 'lib/jobs', 'lib/monitor', 'lib/server', 'lib/sources', 'lib/cli'],
};

function modulesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(path.join(root, d), { withFileTypes: true })) {
      const rel = path.join(d, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.(ts|tsx|mts|cts)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(rel);
    }
  };
  if (fs.existsSync(path.join(root, dir))) walk(dir);
  return out;
}

/** The files a module imports that lie inside the repository, relative to the root (folders as `x/index`). */
function importsOf(root: string, file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(path.join(root, file), 'utf8'), true, true);
  const out: string[] = [];
  for (const { fileName: spec } of info.importedFiles) {
    let target: string;
    if (spec.startsWith('@/')) target = spec.slice(2);
    else if (spec.startsWith('.')) target = path.join(path.dirname(file), spec);
    else continue; // a package
    out.push(path.normalize(target));
  }
  return out;
}

function violations(root: string): string[] {
  const found: string[] = [];
  for (const [from, forbidden] of Object.entries(RULES)) {
    for (const file of modulesUnder(root, from)) {
      for (const target of importsOf(root, file)) {
        const bad = forbidden.find((f) => target === f || target.startsWith(`${f}/`) || target === `${f}.ts`);
        if (bad) found.push(`${file} imports ${target} (${from} must not import ${bad})`);
      }
    }
  }
  return found.sort();
}

const fixtures: string[] = [];
afterAll(() => {
  for (const d of fixtures) fs.rmSync(d, { recursive: true, force: true });
});

describe('the layering of lib/', () => {
  it('keeps the engine and the embedded cluster apart, and the graph model below both', () => {
    expect(violations(ROOT)).toEqual([]);
  });

  it('catches each form of import that crosses a line (a fixture tree)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-layering-'));
    fixtures.push(root);
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    write('lib/cluster/client.ts', 'export const x = 1;\n');
    write('lib/engine/codec.ts', 'export const y = 1;\n');
    write('lib/engine/static.ts', "import { x } from '../cluster/client';\nexport const a = x;\n");
    write('lib/engine/type-only.ts', "import type { x } from '../cluster/client';\nexport type A = typeof x;\n");
    write('lib/engine/reexport.ts', "export { x } from '../cluster/client';\n");
    write('lib/engine/dynamic.ts', "export const load = () => import('../cluster/client');\n");
    write('lib/engine/alias.ts', "import { x } from '@/lib/cluster/client';\nexport const b = x;\n");
    write('lib/engine/fine.ts', "import { y } from './codec';\nimport { z } from 'zod';\nexport const c = [y, z];\n");
    write('lib/engine/fine.test.ts', "import { x } from '../cluster/client';\nexport const d = x;\n");
    write('lib/cluster/back.ts', "import { y } from '../engine/codec';\nexport const e = y;\n");
    write('lib/graph/up.ts', "import { y } from '../engine/codec';\nexport const f = y;\n");
    write('lib/storage/local/index.ts', 'export const l = 1;\n');
    write('lib/storage/index.ts', "export { l } from './local';\n");
    write('lib/engine/store.ts', "import { l } from '../storage/local';\nimport { l as m } from '../storage';\nexport const g = [l, m];\n");
    expect(violations(root)).toEqual([
      'lib/cluster/back.ts imports lib/engine/codec (lib/cluster must not import lib/engine)',
      'lib/engine/alias.ts imports lib/cluster/client (lib/engine must not import lib/cluster)',
      'lib/engine/dynamic.ts imports lib/cluster/client (lib/engine must not import lib/cluster)',
      'lib/engine/reexport.ts imports lib/cluster/client (lib/engine must not import lib/cluster)',
      'lib/engine/static.ts imports lib/cluster/client (lib/engine must not import lib/cluster)',
      'lib/engine/store.ts imports lib/storage/local (lib/engine must not import lib/storage/local)',
      'lib/engine/type-only.ts imports lib/cluster/client (lib/engine must not import lib/cluster)',
      'lib/graph/up.ts imports lib/engine/codec (lib/graph must not import lib/engine)',
    ]);
  });
});

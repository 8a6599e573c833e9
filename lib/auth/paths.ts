/**
 * Paths that come from the browser (backup folders) must stay inside the configured backup roots
 * (TXLINE_BACKUP_ROOTS, default: the default backup folder): no `..`, no absolute path elsewhere, no symlink
 * that leads out. A relative path is taken relative to the first root.
 */
import fs from 'node:fs';
import path from 'node:path';

export type Confined = { ok: true; path: string } | { ok: false; error: string };

/** The real path of `p`, resolving symlinks in the part of it that exists. */
function realPrefix(p: string): string {
  let cur = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return p;
      rest.push(path.basename(cur));
      cur = up;
    }
  }
}

function inside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function confineToRoots(input: unknown, roots: string[]): Confined {
  if (typeof input !== 'string' || input.trim() === '') return { ok: false, error: 'a path is required' };
  const raw = input.trim();
  if (raw.includes('\0')) return { ok: false, error: 'the path contains a NUL character' };
  if (raw.length > 1024) return { ok: false, error: 'the path is too long' };
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) return { ok: false, error: 'only local folders are allowed' };
  if (raw.split(/[\\/]+/).some((seg) => seg === '..')) return { ok: false, error: 'the path must not contain ".."' };
  if (raw.includes('\\')) return { ok: false, error: 'use "/" to separate folders' };
  if (roots.length === 0) return { ok: false, error: 'no backup roots are configured (TXLINE_BACKUP_ROOTS)' };
  const resolved = path.resolve(roots[0], raw);
  const real = realPrefix(resolved);
  for (const root of roots) {
    const realRoot = realPrefix(path.resolve(root));
    if (inside(resolved, path.resolve(root)) && inside(real, realRoot)) return { ok: true, path: resolved };
  }
  return { ok: false, error: `the folder must be inside ${roots.length === 1 ? 'the backup root' : 'one of the backup roots'} ${roots.join(', ')}` };
}

/**
 * Paths that come from the browser (backup folders) must stay inside the configured backup roots
 * (TXLINE_BACKUP_ROOTS, default: the default backup folder): no `..`, no absolute path elsewhere, no symlink
 * that leads out, no comma (the command line reads `--from-path` as a comma-separated list). A relative path
 * is taken relative to the first root.
 *
 * A folder is checked twice: when it is registered (confineToRoots) and every time it is used (confineAtUse),
 * because what is on disk can change in between (a folder replaced by a symlink that leads out). At use, the
 * real path (symlinks resolved) is what the work gets, so a later swap of the registered path does not move it.
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

/** Whether `child` is `root` or below it (by name: `..old` is a folder inside, `..` and `../x` are not). */
function inside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  if (rel === '') return true;
  // absolute: another drive or share on Windows, where no relative path leads from the root
  return !(rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel));
}

/** Whether a real path (symlinks already resolved) is inside one of the roots (resolved now). */
export function insideRoots(real: string, roots: string[]): boolean {
  return roots.some((root) => inside(real, realPrefix(path.resolve(root))));
}

/** `real`: the real path (null: it does not resolve, for `error`); `inside`: whether that is inside a root. */
export type InRoots = { real: string; inside: boolean } | { real: null; inside: false; error: NodeJS.ErrnoException };

/** `p` with every symlink resolved (now), and whether that real path is inside one of the roots. */
export function resolveInRoots(p: string, roots: string[]): InRoots {
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch (e) {
    return { inside: false, real: null, error: e as NodeJS.ErrnoException }; // gone or unreadable: not known to be inside
  }
  return { real, inside: insideRoots(real, roots) };
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
  if (resolved.includes(',')) return { ok: false, error: `${resolved} contains a comma, which the command line would read as a list of paths` };
  const real = realPrefix(resolved);
  for (const root of roots) {
    const realRoot = realPrefix(path.resolve(root));
    if (inside(resolved, path.resolve(root)) && inside(real, realRoot)) return { ok: true, path: resolved };
  }
  return { ok: false, error: `the folder must be inside ${roots.length === 1 ? 'the backup root' : 'one of the backup roots'} ${roots.join(', ')}` };
}

/** Whether `p`'s real path (symlinks resolved, now) is inside one of the roots. */
export function realPathInside(p: string, roots: string[]): boolean {
  return resolveInRoots(p, roots).inside;
}

/** The roots a registered folder must be inside when it is used: the backup roots, and the default folder's own configured path. */
export function folderRoots(env: { backupRoots: string[]; backupDir: string }, folder: { isDefault: boolean }): string[] {
  return folder.isDefault ? [...env.backupRoots, env.backupDir] : env.backupRoots;
}

/**
 * A registered folder at the moment of use: it must exist, be a folder, and its real path (every symlink
 * resolved, now) must be inside one of the roots (resolved too). Returns that real path, for the work to use.
 */
export function confineAtUse(p: string, roots: string[]): Confined {
  const r = resolveInRoots(p, roots);
  if (r.real === null) {
    const code = r.error.code;
    return { ok: false, error: code === 'ENOENT' ? `${p} does not exist any more` : `${p} cannot be read (${code ?? String(r.error)})` };
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(r.real);
  } catch (e) {
    return { ok: false, error: `${p} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  if (!st.isDirectory()) return { ok: false, error: `${p} is not a folder any more` };
  if (r.inside) return { ok: true, path: r.real };
  const where = roots.length === 1 ? `the backup root ${roots[0]}` : `the backup roots ${roots.join(', ')}`;
  return { ok: false, error: `${p} leads to ${r.real}, outside ${where}` };
}

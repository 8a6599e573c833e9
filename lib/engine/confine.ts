/**
 * Confinement of an engine process to the backup roots: what the dashboard's jobs run under.
 *
 * The dashboard checks a folder against the backup roots (lib/auth/paths.ts) and hands the CLI its real path
 * with `--confine-to-root=<root>` for each root that folder was checked against. Under it, this process reads
 * and writes backup files only inside those roots:
 * - a folder or artifact given on the command line (`--from-path`, `--to-path`) must lead inside them (its real
 *   path, symlinks resolved now, is what is used);
 * - a `*.backup` symlink in a folder that leads out of them is skipped with a warning that names it
 *   (listArtifacts), and refused when named on its own (readArtifact; the checks are the local storage
 *   location's, lib/storage/local/open.ts, which gets these roots);
 * - an artifact that was not a symlink when looked at is opened with O_NOFOLLOW, and every opened artifact's
 *   descriptor is checked to be inside the roots where the system says what it is (/proc/self/fd), so a swap
 *   between the look and the open does not lead out either.
 * Without it (the CLI run by hand), a path given on the command line is taken as given, symlinks followed.
 *
 * The setting is the process's: one CLI command per process, set once before the command runs.
 */
import fs from 'node:fs';
import { resolveInRoots } from '../auth/paths';
import { TxlineError } from '../errors';

let roots: string[] | null = null;

/** Confines this process's backup files to `to` (the CLI's --confine-to-root). */
export function confineEngine(to: string[]): void {
  if (to.length === 0) throw new TxlineError('USAGE', '--confine-to-root needs a folder');
  roots = [...to];
}

/** The roots this process is confined to, or null (not confined). */
export function engineRoots(): string[] | null {
  return roots;
}

function rootsText(r: string[]): string {
  return r.length === 1 ? `the backup root ${r[0]}` : `the backup roots ${r.join(', ')}`;
}

/**
 * The error for a path that leads out of the roots: `real` is where it leads (null: nowhere that exists);
 * `symlink`: a `*.backup` name in a folder that is a symlink.
 */
export function outsideRoots(p: string, real: string | null, opts: { symlink?: boolean; roots?: string[] } = {}): TxlineError {
  const to = real === null ? 'leads nowhere that exists' : `leads to ${real}`;
  return new TxlineError('PATH_OUTSIDE_ROOTS', `${p} ${opts.symlink ? `is a symlink that ${to}` : to}, outside ${rootsText(opts.roots ?? roots ?? [])}`);
}

/**
 * A folder or file given on the command line: unconfined, as given; confined, its real path, which must be
 * inside the roots (PATH_OUTSIDE_ROOTS otherwise; PATH_NOT_FOUND when it does not exist).
 */
export function confinedPath(p: string, flag: string): string {
  if (!roots) return p;
  const r = resolveInRoots(p, roots);
  if (r.inside) return r.real;
  if (r.real === null && r.error?.code === 'ENOENT') throw new TxlineError('PATH_NOT_FOUND', `${flag} ${p} does not exist`);
  throw outsideRoots(`${flag} ${p}`, r.real);
}

/**
 * Confined: when `p` is a symlink, where it leads if that is outside the roots (its real path, or null when it
 * leads nowhere), as `{ real }`; otherwise (not a symlink, a symlink that stays inside, or not confined) null.
 */
export function symlinkOutside(p: string, r: string[] | null = roots): { real: string | null } | null {
  if (!r) return null;
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st?.isSymbolicLink()) return null;
  const at = resolveInRoots(p, r);
  return at.inside ? null : { real: at.real };
}

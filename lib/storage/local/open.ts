/**
 * Opening a file of a local backup folder for reading, with today's security rules (they are fixes; keep them):
 * - it never blocks on what is not a regular file: the path is stat'ed first (a FIFO, socket, device or
 *   directory named `*.backup`, or a symlink to one, is refused without being opened), then opened with
 *   O_NONBLOCK and checked again with fstat on the descriptor;
 * - confined to backup roots (`roots` not null: the dashboard's jobs and the server's indexer), a symlink must
 *   lead inside them and its real path is opened; anything else is opened with O_NOFOLLOW; and the opened
 *   descriptor is checked to be inside the roots where the system says what it is (/proc/self/fd), so a swap
 *   between the look and the open does not lead out either.
 * Unconfined (the CLI run by hand), the path is opened as given, symlinks followed.
 */
import fs from 'node:fs';
import { insideRoots, resolveInRoots } from '../../auth/paths';
import { TxlineError, describeError } from '../../errors';

/** What a path that is not a regular file is, for messages ("a FIFO", "a directory", ...). */
export function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function rootsText(r: string[]): string {
  return r.length === 1 ? `the backup root ${r[0]}` : `the backup roots ${r.join(', ')}`;
}

/**
 * The error for a path that leads out of the roots: `real` is where it leads (null: nowhere that exists);
 * `symlink`: a `*.backup` name in a folder that is a symlink.
 */
export function outsideRootsError(p: string, real: string | null, roots: string[], opts: { symlink?: boolean } = {}): TxlineError {
  const to = real === null ? 'leads nowhere that exists' : `leads to ${real}`;
  return new TxlineError('PATH_OUTSIDE_ROOTS', `${p} ${opts.symlink ? `is a symlink that ${to}` : to}, outside ${rootsText(roots)}`);
}

/**
 * Confined, on a system that names what a descriptor is (Linux: /proc/self/fd): the real path of the opened
 * file if it is outside the roots, else null. Where the system does not say, the checks before the open stand.
 */
export function openedOutsideRoots(fd: number, roots: string[] | null): string | null {
  if (!roots) return null;
  let real: string;
  try {
    real = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null; // no /proc: nothing more to learn here
  }
  if (!real.startsWith('/')) return null; // not a path (an anonymous inode): not a file in a folder
  real = real.replace(/ \(deleted\)$/, '');
  return insideRoots(real, roots) ? null : real;
}

export function notRegular(abs: string, st: fs.Stats): TxlineError {
  return new TxlineError('NOT_AN_ARTIFACT', `${abs} is ${fileKind(st)}, not a backup artifact file`);
}

function statError(abs: string, e: unknown): TxlineError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new TxlineError('PATH_NOT_FOUND', `${abs} does not exist`, { cause: e });
  return new TxlineError('IO_ERROR', `cannot read ${abs}: ${describeError(e)}`, { cause: e });
}

function openError(abs: string, e: unknown): TxlineError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new TxlineError('PATH_NOT_FOUND', `${abs} does not exist`, { cause: e });
  // O_NOFOLLOW: it was not a symlink when looked at, and is one now
  if (code === 'ELOOP') return new TxlineError('PATH_OUTSIDE_ROOTS', `${abs} was replaced by a symlink while it was being opened; not followed`, { cause: e });
  return new TxlineError('IO_ERROR', `cannot open ${abs}: ${describeError(e)}`, { cause: e });
}

/** What to open for `abs` and how, under confinement to `roots` (see the header). */
function openTarget(abs: string, roots: string[] | null, lstat: fs.Stats | undefined): { target: string; flags: number } {
  const flags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;
  if (!roots) return { target: abs, flags };
  if (!lstat?.isSymbolicLink()) return { target: abs, flags: flags | fs.constants.O_NOFOLLOW };
  const at = resolveInRoots(abs, roots);
  if (!at.inside) throw outsideRootsError(abs, at.real, roots, { symlink: true });
  return { target: at.real, flags: flags | fs.constants.O_NOFOLLOW };
}

function checkOpened(abs: string, fd: number, stat: fs.Stats, roots: string[] | null): void {
  if (!stat.isFile()) throw notRegular(abs, stat);
  const real = openedOutsideRoots(fd, roots);
  if (real !== null) throw outsideRootsError(abs, real, roots ?? []);
}

/** Opens `abs` for reading (see the header); returns the descriptor and its fstat. */
export function openRegularFile(abs: string, roots: string[] | null): { fd: number; stat: fs.Stats } {
  let open: { target: string; flags: number };
  let before: fs.Stats;
  try {
    open = openTarget(abs, roots, roots ? fs.lstatSync(abs) : undefined);
    before = fs.statSync(open.target);
  } catch (e) {
    throw e instanceof TxlineError ? e : statError(abs, e);
  }
  if (!before.isFile()) throw notRegular(abs, before);
  let fd: number;
  try {
    fd = fs.openSync(open.target, open.flags);
  } catch (e) {
    throw openError(abs, e);
  }
  try {
    const stat = fs.fstatSync(fd);
    checkOpened(abs, fd, stat, roots);
    return { fd, stat };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** openRegularFile off the calling thread's way (the server's indexer): the same checks, on fs.promises. */
export async function openRegularFileAsync(abs: string, roots: string[] | null): Promise<{ file: fs.promises.FileHandle; stat: fs.Stats }> {
  let open: { target: string; flags: number };
  let before: fs.Stats;
  try {
    open = openTarget(abs, roots, roots ? await fs.promises.lstat(abs) : undefined);
    before = await fs.promises.stat(open.target);
  } catch (e) {
    throw e instanceof TxlineError ? e : statError(abs, e);
  }
  if (!before.isFile()) throw notRegular(abs, before);
  let file: fs.promises.FileHandle;
  try {
    file = await fs.promises.open(open.target, open.flags);
  } catch (e) {
    throw openError(abs, e);
  }
  try {
    const stat = await file.stat();
    checkOpened(abs, file.fd, stat, roots);
    return { file, stat };
  } catch (e) {
    await file.close();
    throw e;
  }
}

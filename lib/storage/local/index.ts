/**
 * A local backup folder as a storage location (see ../location.ts).
 *
 * - Reading follows open.ts: never blocks on what is not a regular file, and confined to backup roots
 *   (`roots`), never follows a symlink out of them (O_NOFOLLOW, realpath, /proc/self/fd re-check).
 * - Writing goes to a hidden temporary file in the folder (`.txline-write-<pid>-<random>.tmp`, never listed),
 *   which commit() syncs, links under its final name without replacing a file (`-1`, `-2` when taken), removes
 *   and follows with a sync of the folder; abort() removes it; what a killed writer left is removed by
 *   cleanLeftovers() once its process is gone.
 * - adopt() links a sealed file from the same filesystem under its final name the same way (no copy); a file on
 *   another filesystem is not adopted (the writer streams it into write() instead).
 * - delete() is one unlink(2) and a sync of the folder.
 * - A name with a comma is never written: the command line reads `--from-path` as a comma-separated list.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { TxlineError, describeError } from '../../errors';
import { fsyncDir, linkUniqueAs } from '../../fs';
import { onInterrupt, processAlive } from '../../cleanup';
import { resolveInRoots } from '../../auth/paths';
import { ARTIFACT_SUFFIX, isArtifactName, type ByteRange, type Head, type Location, type LocationEntry, type Lock, type SealedFile, type SyncReads, type WriteHandle } from '../location';
import { fileKind, openRegularFile, openRegularFileAsync } from './open';
import { acquireLock } from './lock';

const WRITE_PREFIX = '.txline-write-';
/** names stat'ed at once by list() */
const STAT_CONCURRENCY = 8;
const WRITE_RE = /^\.txline-write-(\d+)-[0-9a-f]+\.tmp$/;

export interface LocalOptions {
  /** the backup roots this process is confined to (null: not confined) */
  roots?: string[] | null;
}

export class LocalLocation implements Location {
  readonly localFolder: string;
  readonly roots: string[] | null;
  readonly sync: SyncReads;

  constructor(dir: string, opts: LocalOptions = {}) {
    // A folder path with a comma is refused where paths come in (lib/auth/paths.ts, backup delete); names
    // this location writes never hold one (write()).
    this.localFolder = path.resolve(dir);
    this.roots = opts.roots ?? null;
    this.sync = {
      list: () => this.listSync(),
      stat: (name) => this.statSync(name),
      readHead: (name, bytes) => this.readHeadSync(name, bytes),
      read: (name, range, o) => this.readSync(name, range, o),
      delete: (name) => this.deleteSync(name),
    };
  }

  describe(): string {
    return this.localFolder;
  }

  addressOf(name: string): string {
    return path.join(this.localFolder, checkName(name));
  }

  async list(): Promise<LocationEntry[]> {
    let names: string[];
    try {
      names = (await fs.promises.readdir(this.localFolder)).filter(isArtifactName);
    } catch (e) {
      throw this.listError(e);
    }
    // a few names at a time: a folder of thousands is listed without a thousand stats in flight
    const found = new Map<string, LocationEntry>();
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const n = names[next++];
        found.set(n, (await this.stat(n)) ?? danglingEntry(n));
      }
    };
    await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, names.length) }, worker));
    return names.map((n) => found.get(n) as LocationEntry);
  }

  async stat(name: string): Promise<LocationEntry | null> {
    const p = this.addressOf(name);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(p);
    } catch {
      return null; // gone meanwhile, or a symlink that leads nowhere
    }
    return this.entry(name, p, st);
  }

  async readHead(name: string, bytes: number): Promise<Head> {
    const { file, stat } = await openRegularFileAsync(this.addressOf(name), this.roots);
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await file.read(buf, 0, bytes, 0);
      return { bytes: buf.subarray(0, bytesRead), size: stat.size };
    } finally {
      await file.close();
    }
  }

  async read(name: string, range: ByteRange = {}, opts: { expectSize?: number } = {}): Promise<Readable> {
    return this.readSync(name, range, opts);
  }

  async write(name: string): Promise<WriteHandle> {
    // commas too: the command line reads `--from-path` as a comma-separated list
    if (checkName(name).includes(',') || !isArtifactName(name)) throw new TxlineError('INTERNAL', `${name} is not an artifact name`);
    const temp = path.join(this.localFolder, `${WRITE_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    const fd = fs.openSync(temp, 'wx', 0o600); // a new name: never through whatever is there; owner-only, as the artifact
    // One write at a time at the next offset; `busy` is the one under way, so that abort() closes the
    // descriptor only once it is back (a reused descriptor number must never receive our bytes).
    let pos = 0;
    let busy: Promise<void> = Promise.resolve();
    const sink = new Writable({
      highWaterMark: 1024 * 1024,
      write(chunk: Buffer, _enc, cb) {
        busy = writeAll(fd, chunk, pos);
        pos += chunk.length;
        busy.then(() => cb(), cb);
      },
    });
    let state: 'open' | 'committed' | 'aborted' = 'open';
    const closeFd = () => {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    };
    const dir = this.localFolder;
    // Interrupted (SIGTERM from a cancelled job) before commit or abort: the temporary file goes with us.
    const unregister = onInterrupt(() => fs.rmSync(temp, { force: true }));
    return {
      sink,
      commit: async () => {
        if (state !== 'open') throw new TxlineError('INTERNAL', `${temp} was ${state} already`);
        try {
          if (!sink.writableFinished) {
            if (!sink.writableEnded) sink.end();
            await finished(sink);
          }
          fs.fsyncSync(fd);
          const finalName = linkChecked({ path: temp, fd }, dir, name);
          fs.rmSync(temp, { force: true });
          state = 'committed';
          return finalName;
        } catch (e) {
          state = 'aborted';
          fs.rmSync(temp, { force: true });
          throw e;
        } finally {
          closeFd();
          unregister();
        }
      },
      abort: async () => {
        if (state !== 'open') return;
        state = 'aborted';
        sink.destroy();
        await busy.catch(() => undefined); // its error is the stream's; what matters here is that it is back
        closeFd();
        fs.rmSync(temp, { force: true });
        unregister();
      },
    };
  }

  async adopt(file: SealedFile, name: string): Promise<string | null> {
    if (checkName(name).includes(',') || !isArtifactName(name)) throw new TxlineError('INTERNAL', `${name} is not an artifact name`);
    if (fs.fstatSync(file.fd).dev !== fs.statSync(this.localFolder).dev) return null; // link(2) cannot cross filesystems
    try {
      return linkChecked(file, this.localFolder, name);
    } catch (e) {
      // Two mounts of one filesystem (a bind mount, as containers have) share the device number, and link(2)
      // still refuses to cross them: the file is copied instead, as from another filesystem.
      if ((e as NodeJS.ErrnoException).code === 'EXDEV') return null;
      throw e;
    }
  }

  async delete(name: string): Promise<void> {
    this.deleteSync(name);
  }

  async lock(database: string, what: string, opts: { tempDirs?: string[] } = {}): Promise<Lock> {
    return acquireLock(this.localFolder, database, what, opts);
  }

  async cleanLeftovers(): Promise<string[]> {
    const done: string[] = [];
    let names: string[];
    try {
      names = await fs.promises.readdir(this.localFolder);
    } catch {
      return done;
    }
    for (const n of names) {
      const m = WRITE_RE.exec(n);
      if (!m || processAlive(Number(m[1]))) continue;
      fs.rmSync(path.join(this.localFolder, n), { force: true });
      done.push(`removed ${n}, left by an interrupted writer (process ${m[1]})`);
    }
    return done;
  }

  // ---- synchronous reads (the `sync` capability) ----------------------------------------------------

  private listSync(): LocationEntry[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.localFolder);
    } catch (e) {
      throw this.listError(e);
    }
    const out: LocationEntry[] = [];
    for (const n of names.filter(isArtifactName)) {
      const p = path.join(this.localFolder, n);
      const st = fs.statSync(p, { throwIfNoEntry: false });
      // a symlink that leads nowhere: listed, so that reading it says so (it is not an artifact)
      out.push(st ? this.entry(n, p, st) : danglingEntry(n));
    }
    return out;
  }

  private statSync(name: string): LocationEntry | null {
    const p = this.addressOf(name);
    const l = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!l) return null;
    const st = l.isSymbolicLink() ? fs.statSync(p, { throwIfNoEntry: false }) : l;
    return st ? this.entry(name, p, st) : danglingEntry(name);
  }

  private readHeadSync(name: string, bytes: number): Head {
    const { fd, stat } = openRegularFile(this.addressOf(name), this.roots);
    try {
      const buf = Buffer.alloc(bytes);
      const n = fs.readSync(fd, buf, 0, bytes, 0);
      return { bytes: buf.subarray(0, n), size: stat.size };
    } finally {
      fs.closeSync(fd);
    }
  }

  private readSync(name: string, range: ByteRange = {}, opts: { expectSize?: number } = {}): Readable {
    const { fd, stat } = openRegularFile(this.addressOf(name), this.roots);
    if (opts.expectSize !== undefined && stat.size !== opts.expectSize) {
      fs.closeSync(fd);
      throw new TxlineError('ARTIFACT_CORRUPT', `${name} is corrupt: file is ${stat.size} bytes, expected ${opts.expectSize} (changed since it was read)`);
    }
    const start = range.start ?? 0;
    const end = range.end ?? stat.size;
    if (end <= start) {
      fs.closeSync(fd);
      return emptyStream();
    }
    const file = this.addressOf(name);
    return Readable.from(readingOf(file, fs.createReadStream(file, { fd, start, end: end - 1, highWaterMark: 1024 * 1024 })), { objectMode: false });
  }

  private deleteSync(name: string): void {
    const p = this.addressOf(name);
    try {
      fs.unlinkSync(p); // a symlink goes as a name: unlink never touches what it leads to
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new TxlineError('IO_ERROR', `cannot delete ${p}: ${describeError(e)}`, { cause: e });
    }
    fsyncDir(this.localFolder);
  }

  private entry(name: string, p: string, st: fs.Stats): LocationEntry {
    const e: LocationEntry = { name, size: st.size, mtimeMs: st.mtimeMs, regular: st.isFile() };
    if (!e.regular) e.kind = fileKind(st);
    if (fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink()) {
      e.link = true;
      if (this.roots && e.regular && !resolveInRoots(p, this.roots).inside) e.refused = `${p} is a symlink that leads out of the backup roots`;
    }
    return e;
  }

  private listError(e: unknown): TxlineError {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new TxlineError('PATH_NOT_FOUND', `${this.localFolder} does not exist`, { cause: e });
    return new TxlineError('IO_ERROR', `cannot read ${this.localFolder}: ${describeError(e)}`, { cause: e });
  }
}

/**
 * Links `file` into `dir` as `name` (or `-1`, `-2`, ... when taken: never replacing a file), checks that the new
 * name leads to the very file `file.fd` has open (link(2) takes whatever is under the path by then), and syncs
 * the folder. Returns the name it got.
 */
function linkChecked(file: SealedFile, dir: string, name: string): string {
  const finalPath = linkUniqueAs(file.path, dir, name.slice(0, -ARTIFACT_SUFFIX.length), ARTIFACT_SUFFIX);
  const linked = fs.lstatSync(finalPath);
  const mine = fs.fstatSync(file.fd);
  if (!linked.isFile() || linked.ino !== mine.ino || linked.dev !== mine.dev) {
    fs.rmSync(finalPath, { force: true });
    throw new TxlineError('IO_ERROR', `${file.path} was replaced while it was being committed; nothing was linked into place`);
  }
  fsyncDir(dir);
  return path.basename(finalPath);
}

function checkName(name: string): string {
  if (!name || name === '.' || name === '..' || /[/\0]/.test(name)) throw new TxlineError('INTERNAL', `${JSON.stringify(name)} is not a plain file name`);
  return name;
}

async function writeAll(fd: number, buf: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buf.length; ) {
    done += await new Promise<number>((resolve, reject) => fs.write(fd, buf, done, buf.length - done, position + done, (e, n) => (e ? reject(e) : resolve(n))));
  }
}

/** A name that leads nowhere (a dangling symlink): listed, so that reading it says so. */
function danglingEntry(name: string): LocationEntry {
  return { name, size: 0, mtimeMs: 0, regular: false, kind: 'a symlink that leads nowhere', leadsNowhere: true, link: true };
}

/**
 * The chunks of a file's read stream; a read that fails (EIO, a descriptor gone) is this host's IO_ERROR naming
 * the file, as a failed S3 download is STORAGE_UNREACHABLE: what reads an artifact must not report the
 * artifact corrupt for it. (Ending early, the stream's own cleanup closes the file.)
 */
async function* readingOf(file: string, stream: fs.ReadStream): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (e) {
    throw new TxlineError('IO_ERROR', `cannot read ${file}: ${describeError(e)}`, { cause: e });
  }
}

function emptyStream(): Readable {
  return Readable.from([] as Buffer[]);
}


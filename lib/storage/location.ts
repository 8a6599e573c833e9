/**
 * A storage location: where artifacts live (DESIGN.md, "Seams"). A local folder today (lib/storage/local),
 * S3-compatible object storage later (issue 15). The engine and the indexer reach artifact files only through
 * this interface and the factory (lib/storage/index.ts); they never ask which kind they have. A power that only
 * some kinds have is a declared capability (an optional member), never an `instanceof`.
 *
 * Names are plain artifact names (`<db>-<time>.backup`), never paths: a location maps them to its own
 * addresses (a file in a folder, a key under a prefix) and refuses a name with a separator.
 *
 * Invariants every kind keeps (tests/storage/location-contract.ts checks them on each):
 * - list() shows complete artifacts only: what a writer has not committed (a temporary file, an incomplete
 *   multipart upload, a data object without its commit marker) is never listed, nor is anything hidden
 *   (a name starting with `.`).
 * - A committed artifact is immutable and never replaced: commit() picks a fresh name (`-1`, `-2`, ...) when
 *   the one asked for is taken.
 * - delete() is durable when it returns (local: the folder is synced after the unlink).
 * - read() refuses what is not a regular artifact object (a FIFO, a directory, a symlink leading out of the
 *   backup roots) with a TxlineError naming it, and never blocks on it.
 *
 * Locks: one engine operation per database and location at a time, through the `lock` capability. A local
 * folder's lock (local/lock.ts) is an exclusive SQLite transaction on a lock file beside the artifacts, released
 * by the kernel when a process dies. Object storage has neither O_EXCL files nor locks that die with their
 * holder: its lock is a lease object written with a conditional PUT and renewed while the run lasts.
 *
 * Writing artifacts: the artifact writer (lib/engine/artifact-writer.ts) builds each artifact in a local
 * scratch file first (--temp-path, else the location's local folder, else the system's temporary folder): it writes
 * the payload at offsets on a thread pool while it hashes, and the head (which holds the payload's size and
 * SHA-256) last, at offset 0, then reads the sealed file back. It then hands the sealed file over through this
 * interface: adopt() where the location has it (a local folder on the same filesystem links the file into place,
 * no copy), else write() and commit() (a sequential stream, as an S3 multipart upload is).
 *
 * Notes (a capability of object storage, where every read is a request): commit() may be given a small opaque
 * note (the artifact's metadata, encoded by lib/engine/artifact-note.ts), which the location keeps beside the
 * object and hands back with that object's entry in list(), so that an index reads metadata without a request per
 * artifact. A note is a hint, never the truth: it is kept only after the object is committed, bound to that
 * object (list() drops a note that does not match the object now under the name), may be missing (an object
 * written by an older version or another program, a writer killed between the commit and the note), and its
 * reader checks it as it checks a head. Restore, check and every engine command read the artifact's own head.
 */
import type { Readable, Writable } from 'node:stream';

/** One `*.backup` name in a location, as listed (nothing is opened to list it). */
export interface LocationEntry {
  name: string;
  /** bytes (of what the name leads to) */
  size: number;
  mtimeMs: number;
  /** a regular file (or object): the only kind that is ever opened as an artifact */
  regular: boolean;
  /** what it is when not regular, for messages ("a FIFO", "a directory", ...) */
  kind?: string;
  /** why the location will not open it although it is regular (a symlink leading out of the backup roots) */
  refused?: string;
  /** a link that leads nowhere (a dangling local symlink): not an artifact, and gone as far as an index is concerned */
  leadsNowhere?: boolean;
  /** the name is a link to the object (a local symlink): deleting it removes the link, not what it leads to */
  link?: boolean;
  /** the note kept with this very object (see the header), when the location keeps notes and has one for it */
  note?: Buffer;
  /** why a note found for this name was not handed back (undecodable, several, or for another object), for a finding */
  noteRefused?: string;
}

/** A byte range to read: `start` inclusive, `end` exclusive (either may be left out). */
export interface ByteRange {
  start?: number;
  end?: number;
}

/** What write() returns: bytes go into `sink`; nothing is visible under any listed name before commit(). */
export interface WriteHandle {
  /** where the bytes go, in order */
  readonly sink: Writable;
  /**
   * Makes the object visible under `name` (or a fresh variant of it: never replacing one); returns that name.
   * `note`: kept beside the object after it is committed, where the location keeps notes (see the header) and
   * the note fits (S3: within the 1,024-byte key); a note that cannot be kept is left out (the object is committed
   * all the same, and is read by its head).
   */
  commit(opts?: { note?: Buffer }): Promise<string>;
  /** Drops what was written; nothing stays that list() shows. Safe to call twice, or after a failed commit. */
  abort(): Promise<void>;
}

/** Who holds (or held) a lock: the record a lock keeps beside it. */
export interface LockOwner {
  pid: number;
  what: string;
  since: string;
  /** folders this run writes temporary files to (its --temp-path, the backup folder) */
  tempDirs?: string[];
}

/** A held lock on one database of a location. */
export interface Lock {
  /** the owner record a killed run left behind (its process is gone), or null */
  readonly previous: LockOwner | null;
  /**
   * Called before anything is committed or deleted under the lock: throws when the lock is no longer this run's
   * (BACKUP_IN_PROGRESS naming the run that holds it now), or when that cannot be known (the storage failing),
   * so nothing is committed or deleted then. A lock that lasts as long as the process (a local folder's, held
   * by the operating system) cannot be lost: it always passes.
   */
  confirm(): Promise<void>;
  /** gives the lock up (idempotent) */
  release(): void | Promise<void>;
}

/** A complete local file, open as `fd` (see Location.adopt). */
export interface SealedFile {
  path: string;
  fd: number;
}

/** The head of an object and the object's whole size, read in one go (from one open of one version). */
export interface Head {
  bytes: Buffer;
  size: number;
}

export interface Location {
  /** for messages: the folder's path, or the URL */
  describe(): string;
  /** where a name is, for messages and for artifacts' `path` (a file path, or a URL) */
  addressOf(name: string): string;
  /** every `*.backup` name that is not hidden, with its size and kind; throws PATH_NOT_FOUND when the location does not exist */
  list(): Promise<LocationEntry[]>;
  /** one name's entry, or null when there is none */
  stat(name: string): Promise<LocationEntry | null>;
  /** the first `bytes` bytes (fewer if it is shorter) and the whole size */
  readHead(name: string, bytes: number): Promise<Head>;
  /**
   * A stream of a range of the object. `expectSize`: fail (ARTIFACT_CORRUPT) if the object is not that size
   * now (it changed since its metadata was read).
   */
  read(name: string, range?: ByteRange, opts?: { expectSize?: number }): Promise<Readable>;
  /**
   * Starts writing an object to be committed under `name` (or a fresh variant of it). `size`: how many bytes
   * will be written, when known (S3 sizes its parts by it: at most 10,000 parts an object).
   */
  write(name: string, opts?: { size?: number }): Promise<WriteHandle>;
  /** Removes a name, durably; a name already gone is not an error. */
  delete(name: string): Promise<void>;
  /** Removes what writers killed before commit() or abort() left (their process is gone); says what it did. */
  cleanLeftovers(): Promise<string[]>;
  /**
   * Capability: the same reads, and delete, done synchronously. A local folder has it; object storage will not.
   * The engine's synchronous entry points (listArtifacts, readArtifact) need it and say so when
   * it is missing; their asynchronous twins (listArtifactsIn, readArtifactIn) work on any kind.
   */
  readonly sync?: SyncReads;
  /**
   * Capability: takes a sealed local file as the object `name` (or a fresh variant of it) without copying it,
   * and returns the name; null when it cannot (the file is on another filesystem): the caller then streams the
   * file into write(). The file is followed by its descriptor, not its path: if what the path leads to is not
   * the file `fd` has open (a file swapped in under the name), nothing is adopted and it fails with IO_ERROR.
   * The caller still owns (and removes) `path`, and closes `fd`.
   */
  adopt?(file: SealedFile, name: string): Promise<string | null>;
  /**
   * Capability: takes the lock of `database` in this location for an operation (`what`: backup, aggregate,
   * delete, ...), or fails with BACKUP_IN_PROGRESS naming the holder. `tempDirs`: local folders the operation
   * writes temporary files to, recorded so that the run after a killed one can clean them.
   */
  lock?(database: string, what: string, opts?: { tempDirs?: string[] }): Promise<Lock>;
  /**
   * Capability: checks that the location can be listed, written and deleted in, by listing it and writing and
   * removing a tiny hidden object (never listed as an artifact); fails with the TxlineError a real operation
   * would meet, naming the location. Object storage has it (the dashboard's "Test connection").
   */
  probe?(): Promise<void>;
  /** Capability: the local folder behind this location (lock files and work folders go there), or absent. */
  readonly localFolder?: string;
}

export interface SyncReads {
  list(): LocationEntry[];
  stat(name: string): LocationEntry | null;
  readHead(name: string, bytes: number): Head;
  /** a stream of a range, opened now (the checks run now), read later */
  read(name: string, range?: ByteRange, opts?: { expectSize?: number }): Readable;
  delete(name: string): void;
}

/** The suffix of artifact names. */
export const ARTIFACT_SUFFIX = '.backup';

/** Whether `name` is one an artifact may have: `*.backup`, not hidden, no separator. */
export function isArtifactName(name: string): boolean {
  return name.endsWith(ARTIFACT_SUFFIX) && !name.startsWith('.') && !/[/\0]/.test(name);
}

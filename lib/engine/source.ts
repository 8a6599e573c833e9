/**
 * What the engine needs from a database cluster: its topology (Source) and a driver that writes backups into
 * the engine's artifacts and restores chains (BackupDriver). The engine knows nothing of a cluster's wire
 * protocol: the cluster kinds in lib/sources implement these (the embedded cluster over its member API; later
 * a real Neo4j cluster).
 */
import type { Artifact } from './artifact';
import type { ArtifactWriter } from './artifact-writer';
import type { RestorePlan } from './restore-plan';
import type { EngineLog, ProgressSink } from './progress';

export interface SourceMember {
  id: string;
  address: string;
  mode: 'primary' | 'secondary';
}

export interface MemberDatabase {
  member: SourceMember;
  name: string;
  databaseId: string | null;
  storeId: string | null;
  role: 'writer' | 'follower' | 'secondary';
  status: 'online' | 'offline';
  lastCommittedTxn: number;
  lowestAvailableTxn: number;
  /** transactions behind the writer, as a negative number (0 on the writer), as Neo4j's SHOW DATABASES has it */
  replicationLag: number;
}

export interface Topology {
  members: SourceMember[];
  databases: MemberDatabase[];
  /** addresses that did not answer, with why (and the member's ID when the cluster named it) */
  unreachable: Array<{ address: string; id?: string; error: string }>;
  writer: SourceMember | null;
}

/** "server ADDRESS (ID) could not be reached: WHY", as backup and restore log it. */
export function describeUnreachable(u: Topology['unreachable'][number]): string {
  return `server ${u.address}${u.id ? ` (${u.id})` : ''} could not be reached: ${u.error}`;
}

export interface InstallResult {
  writer: SourceMember;
  members: Array<{ member: SourceMember; lastCommittedTxn: number; storeId: string | null; status: string }>;
  /** the restored store's digest (contentHash: its content sum; orderedHash: format 2's, when asked for) */
  digest: { lastCommittedTxn: number; nodes: number; relationships: number; contentHash: string; orderedHash?: string };
  /** SHA-256 of the store file every member received and installed (each member's own hash was compared), when the kind has it (txline: when it was uploaded to a member) */
  storeSha256?: string;
}

export interface Source {
  /** Members, and per member each database's role and position. */
  topology(): Promise<Topology>;
}

/**
 * What a backup driver gets to write one artifact: the member to read from, the backup's time (read before
 * the source is asked: everything committed before it is in the backup), a writer for the artifact (the
 * engine's container: nothing is visible until commit) and how to drop a failed attempt.
 */
export interface WriteContext {
  database: string;
  from: MemberDatabase;
  time: Date;
  /** compress the payload */
  compress: boolean;
  /** an artifact writer in the target folder (full: a full backup) */
  newWriter(full: boolean): ArtifactWriter;
  /** drops a failed attempt (with --keep-failed keeps it, with what was known); never throws */
  abort(w: ArtifactWriter, known?: Record<string, unknown>, opts?: { keepFailed?: boolean }): void;
  log: EngineLog;
  progress?: ProgressSink;
}

/** A differential that could not be taken here, and why (the engine falls back to a full, or fails). */
export type DiffOutcome = { ok: true; artifact: Artifact } | { ok: false; reason: string };

/** A restore the engine planned and checked: the chain (read and verified by the driver), the point, the target. */
export interface RestoreRequest {
  plan: RestorePlan<Artifact>;
  /** the backed-up database */
  database: string;
  /** the database to restore into */
  target: string;
  /** the target as the cluster has it now (it may be replaced: the engine checked --overwrite-destination) */
  existing: MemberDatabase | undefined;
  overwrite: boolean;
  tempPath?: string;
  log: EngineLog;
  progress?: ProgressSink;
}

export interface RestoreOutcome {
  /** the last transaction the restored database holds */
  restoredTx: number;
  /** transactions replayed after the full backup */
  replayed: number;
  storeId: string;
  databaseId: string;
  install: InstallResult;
  /** size of the store that was installed */
  storeBytes: number;
}

/**
 * What a restore drill (drill.ts) needs of its target beyond a restore: to read, check and drop a scratch
 * database. A kind that offers it declares it (BackupDriver.scratch); one that does not cannot be drilled into.
 */
export interface ScratchDatabases {
  /** The names of the databases the cluster holds (leftover scratch databases are found among them). */
  databaseNames(): Promise<string[]>;
  /** Answers once `name` serves a read (the first node, on the writer): the end of a drill's RTO. */
  probeRead(name: string): Promise<void>;
  /** The consistency check of the store as it is served (copied into `workDir`): problems, empty when sound. */
  checkConsistency(name: string, workDir: string): Promise<string[]>;
  /**
   * The digest of `name` as its writer serves it, computed from every row (not the sum the writer keeps);
   * `ordered`: with format 2's ordered hash as well.
   */
  digest(name: string, opts: { ordered: boolean }): Promise<InstallResult['digest']>;
  /** Drops `name` on the whole cluster and waits until no member holds it. */
  dropDatabase(name: string): Promise<void>;
}

/** How a cluster kind writes its backups into the engine's artifacts and restores a chain into the cluster. */
export interface BackupDriver {
  /** scratch databases for restore drills, when the kind offers them */
  readonly scratch?: ScratchDatabases;
  /** A full backup of `ctx.database` from `ctx.from`. */
  takeFull(ctx: WriteContext): Promise<Artifact>;
  /** The transactions after `parent` (a differential), or why they cannot be had from this member. */
  takeDiff(ctx: WriteContext, parent: Artifact): Promise<DiffOutcome>;
  /** Rebuilds the database from the chain up to the plan's point and installs it on the cluster, with a new store ID. */
  restoreChain(req: RestoreRequest): Promise<RestoreOutcome>;
}

/**
 * The catalog: what Txline knows about clusters, backup folders, artifacts, jobs and lag, in SQLite.
 *
 * The artifact files are the truth: the `artifacts` table is an index of the folders, rebuilt by the indexer
 * (delete the catalog, start again, and the same chains come back). Jobs, lag samples, users, sessions and
 * audit events live only here.
 */
import { CLUSTER_KINDS } from '../sources/kind';
import { sql, type InferSelectModel } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ErrorCode } from '../errors';
import { JOB_KINDS, type JobKind } from '../jobs/kinds';

const createdAt = () =>
  integer('created_at', { mode: 'number' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const clusters = sqliteTable('clusters', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  /** the protocol the cluster speaks: a cluster kind of lib/sources ('txline': Txline's member API) */
  kind: text('kind', { enum: CLUSTER_KINDS }).notNull(),
  /** this server started the cluster (the embedded one: members read from its cluster.json); else given addresses */
  startedHere: integer('started_here', { mode: 'boolean' }).notNull().default(false),
  addresses: text('addresses', { mode: 'json' }).$type<string[]>().notNull(),
  controlAddress: text('control_address'),
  /**
   * A remote cluster's own member token (set in Settings; sent to its members only): null sends none. Never
   * rendered to a page. The embedded cluster's is its token file (lib/cluster/token.ts).
   */
  token: text('token'),
  /** a `neo4j` cluster's Bolt URI (neo4j://host:7687); null for the other kinds */
  uri: text('uri'),
  /** a `neo4j` cluster's Bolt user */
  boltUser: text('bolt_user'),
  /**
   * a `neo4j` cluster's Bolt password, sealed with AES-256-GCM under the key file beside the catalog
   * (lib/sources/neo4j/secret.ts), bound to uri and user: never in clear, never sent to a page
   */
  passwordSealed: text('password_sealed'),
  /** a `neo4j` cluster's neo4j-admin executable (absolute path) */
  neo4jAdmin: text('neo4j_admin'),
  /** a `neo4j` cluster's neo4j-admin --from list (host:port); null: each server's host with port 6362 */
  backupFrom: text('backup_from', { mode: 'json' }).$type<string[]>(),
  /** a `neo4j` cluster's backup folder (--to-path by default) */
  location: text('location'),
  createdAt: createdAt(),
});
export type ClusterRow = InferSelectModel<typeof clusters>;

export const members = sqliteTable(
  'members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    memberId: text('member_id').notNull(),
    address: text('address').notNull(),
    mode: text('mode', { enum: ['primary', 'secondary'] }).notNull(),
    lastSeenAt: integer('last_seen_at'),
  },
  (t) => [uniqueIndex('members_cluster_member').on(t.clusterId, t.memberId)],
);
export type MemberRow = InferSelectModel<typeof members>;

export const backupFolders = sqliteTable('backup_folders', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  path: text('path').notNull().unique(),
  isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
  lastScanAt: integer('last_scan_at'),
  lastScanError: text('last_scan_error'),
  createdAt: createdAt(),
});
export type BackupFolderRow = InferSelectModel<typeof backupFolders>;

export const artifacts = sqliteTable(
  'artifacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    folderId: integer('folder_id')
      .notNull()
      .references(() => backupFolders.id, { onDelete: 'cascade' }),
    file: text('file').notNull(),
    database: text('database').notNull(),
    databaseId: text('database_id').notNull(),
    storeId: text('store_id').notNull(),
    /** backup time, ms since the epoch (UTC) */
    time: integer('time').notNull(),
    full: integer('full', { mode: 'boolean' }).notNull(),
    compressed: integer('compressed', { mode: 'boolean' }).notNull(),
    lowestTx: integer('lowest_tx').notNull(),
    highestTx: integer('highest_tx').notNull(),
    tipTx: integer('tip_tx').notNull(),
    txCount: integer('tx_count').notNull(),
    parent: text('parent'),
    parentLastTxChecksum: integer('parent_last_tx_checksum'),
    lastTxChecksum: integer('last_tx_checksum').notNull(),
    firstCommitTime: integer('first_commit_time'),
    lastCommitTime: integer('last_commit_time'),
    recovered: integer('recovered', { mode: 'boolean' }).notNull(),
    memberId: text('member_id'),
    memberAddress: text('member_address'),
    sizeBytes: integer('size_bytes').notNull(),
    rawBytes: integer('raw_bytes').notNull(),
    sha256: text('sha256').notNull(),
    nodes: integer('nodes'),
    relationships: integer('relationships'),
    /** the file's size and mtime when indexed: a change means it must be read again */
    fileSize: integer('file_size').notNull(),
    fileMtimeMs: integer('file_mtime_ms').notNull(),
    indexedAt: integer('indexed_at').notNull(),
    /** result of the last full verification (payload checksum): 'ok' or 'corrupt' */
    verifyStatus: text('verify_status', { enum: ['ok', 'corrupt'] }),
    verifyMessage: text('verify_message'),
    verifiedAt: integer('verified_at'),
  },
  (t) => [
    uniqueIndex('artifacts_folder_file').on(t.folderId, t.file),
    index('artifacts_folder_db_time').on(t.folderId, t.database, t.time),
    // a database's artifacts in every folder (the alert facts ask by name); the newest re-index and
    // verification in O(log n) (the overview's cheap "has anything changed" check, lib/dashboard/backup-facts.ts)
    // (with the folder and size: a database's bytes per folder, the alert facts' storage for every database,
    // from the index alone)
    index('artifacts_db_time').on(t.database, t.time, t.folderId, t.sizeBytes),
    index('artifacts_indexed_at').on(t.indexedAt),
    index('artifacts_verified_at').on(t.verifiedAt),
  ],
);
export type ArtifactRow = InferSelectModel<typeof artifacts>;

export { JOB_KINDS, type JobKind };
export const JOB_STATUSES = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobProgress {
  phase: string;
  bytesDone?: number;
  bytesTotal?: number | null;
  txDone?: number;
  txTotal?: number | null;
  message?: string;
  at: number;
}

export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: JOB_KINDS }).notNull(),
    status: text('status', { enum: JOB_STATUSES }).notNull(),
    clusterId: integer('cluster_id').references(() => clusters.id, { onDelete: 'set null' }),
    folderId: integer('folder_id').references(() => backupFolders.id, { onDelete: 'set null' }),
    /** the database the job works on (for a restore: the target) */
    database: text('database').notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    args: text('args', { mode: 'json' }).$type<string[]>().notNull(),
    pid: integer('pid'),
    exitCode: integer('exit_code'),
    progress: text('progress', { mode: 'json' }).$type<JobProgress>(),
    log: text('log').notNull().default(''),
    /** the kind's result line, stored only when it matched (lib/jobs/protocol.ts); read it with jobResult(kind, result) */
    result: text('result', { mode: 'json' }).$type<Record<string, unknown>>(),
    error: text('error'),
    /** the stable code of a failed job's error (lib/errors.ts; docs/errors.md), null when it succeeded */
    errorCode: text('error_code').$type<ErrorCode>(),
    cancelRequested: integer('cancel_requested', { mode: 'boolean' }).notNull().default(false),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    startedAt: integer('started_at'),
    endedAt: integer('ended_at'),
  },
  (t) => [
    index('jobs_database_status').on(t.database, t.status),
    index('jobs_created').on(t.createdAt),
    // the newest succeeded restore per cluster and database (latestRestores) without reading every job;
    // the running jobs without scanning the finished ones
    index('jobs_kind_status_cluster_db').on(t.kind, t.status, t.clusterId, t.database),
    index('jobs_status').on(t.status),
    // a database's recent jobs on a cluster, newest first (the alert facts' failure streaks, for every database)
    index('jobs_db_cluster_id').on(t.database, t.clusterId, t.id),
  ],
);
export type JobRow = InferSelectModel<typeof jobs>;

/** 's': one sample a second (kept an hour); 'm': per-minute averages (kept a week); 'h': hourly (kept 90 days). */
export const LAG_RESOLUTIONS = ['s', 'm', 'h'] as const;
export type LagResolution = (typeof LAG_RESOLUTIONS)[number];

export const lagSamples = sqliteTable(
  'lag_samples',
  {
    clusterId: integer('cluster_id').notNull(),
    memberId: text('member_id').notNull(),
    database: text('database').notNull(),
    resolution: text('resolution', { enum: LAG_RESOLUTIONS }).notNull(),
    ts: integer('ts').notNull(),
    lastCommittedTxn: integer('last_committed_txn').notNull(),
    replicationLag: integer('replication_lag').notNull(),
    /** 0 when the member did not answer or the database was offline */
    online: integer('online', { mode: 'boolean' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.database, t.resolution, t.ts, t.memberId] }),
    // the recent samples of every series (downsampling, metrics, alert subjects) without reading them all
    index('lag_samples_resolution_ts').on(t.resolution, t.ts),
  ],
);
export type LagSampleRow = InferSelectModel<typeof lagSamples>;

/** The backup types a schedule has a cron for. */
export const SCHEDULE_TYPES = ['full', 'diff'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/**
 * Backup schedules (lib/schedules): per cluster and database glob (as the CLI's database argument), a full
 * cron and a diff cron (each optional, at least one), read in a time zone, into a registered backup folder.
 * `fullDueAt` / `diffDueAt`: the last due time of each cron the scheduler has handled (started, or made up
 * once after a stop); null until the first. One schedule per cluster and glob.
 */
export const schedules = sqliteTable(
  'schedules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    /** a database name or glob ("n*", "*"); `system` matches only when named explicitly */
    databaseGlob: text('database_glob').notNull(),
    fullCron: text('full_cron'),
    diffCron: text('diff_cron'),
    /** an IANA time zone the crons are read in */
    timeZone: text('time_zone').notNull().default('UTC'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    folderId: integer('folder_id')
      .notNull()
      .references(() => backupFolders.id, { onDelete: 'cascade' }),
    fullDueAt: integer('full_due_at'),
    diffDueAt: integer('diff_due_at'),
    /**
     * when the scheduler drills each database the schedule covers (lib/schedules/drills.ts), in the schedule's
     * zone; null: DEFAULT_DRILL_CRON (daily); '' : no scheduled drills
     */
    drillCron: text('drill_cron'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
  },
  (t) => [uniqueIndex('schedules_cluster_glob').on(t.clusterId, t.databaseGlob)],
);
export type ScheduleRow = InferSelectModel<typeof schedules>;

/**
 * Restore drills (lib/engine/drill.ts) run as jobs, one row per finished drill job (lib/jobs/effects.ts). A drill
 * that could not run its checks (no chain, no cluster) is a failed row whose `failedCheck` is the error's code.
 */
export const drills = sqliteTable(
  'drills',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clusterId: integer('cluster_id').references(() => clusters.id, { onDelete: 'cascade' }),
    folderId: integer('folder_id').references(() => backupFolders.id, { onDelete: 'set null' }),
    database: text('database').notNull(),
    /** the location drilled (a folder path or a location URL) */
    location: text('location').notNull(),
    /** latest, random or tx */
    pointKind: text('point_kind').notNull(),
    /** the transaction the scratch database was restored to (null: the restore did not happen) */
    pointTx: integer('point_tx'),
    /** the artifact the chain ended at */
    chainEnd: text('chain_end'),
    /** the artifact a failed check blames */
    artifact: text('artifact'),
    passed: integer('passed', { mode: 'boolean' }).notNull(),
    /** the first check that failed (DRILL_CHECKS), or the error's code when the drill could not run its checks */
    failedCheck: text('failed_check'),
    problem: text('problem'),
    rtoMs: integer('rto_ms'),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at').notNull(),
    jobId: integer('job_id').references(() => jobs.id, { onDelete: 'set null' }),
  },
  (t) => [index('drills_cluster_db_started').on(t.clusterId, t.database, t.startedAt)],
);
export type DrillRow = InferSelectModel<typeof drills>;

/**
 * The drill target of a database (lib/dashboard/commands/drill.ts): the cluster its drills restore into, chosen
 * per database (of a cluster); without a row, the database's own cluster. Only a cluster whose kind holds
 * scratch databases can be one (the Txline member API); removing either cluster removes the choice.
 */
export const drillTargets = sqliteTable(
  'drill_targets',
  {
    clusterId: integer('cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    database: text('database').notNull(),
    targetClusterId: integer('target_cluster_id')
      .notNull()
      .references(() => clusters.id, { onDelete: 'cascade' }),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.database] })],
);
export type DrillTargetRow = InferSelectModel<typeof drillTargets>;

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: integer('updated_at'),
});
export type UserRow = InferSelectModel<typeof users>;

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the session token (the token itself is only in the browser's cookie) */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
    address: text('address'),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);
export type SessionRow = InferSelectModel<typeof sessions>;

export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    address: text('address').notNull(),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('login_attempts_user').on(t.username, t.at), index('login_attempts_address').on(t.address, t.at)],
);

export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    username: text('username'),
    address: text('address'),
    action: text('action').notNull(),
    target: text('target'),
    outcome: text('outcome', { enum: ['ok', 'denied', 'failed'] }).notNull(),
    detail: text('detail'),
  },
  (t) => [index('audit_events_at').on(t.at), index('audit_events_action').on(t.action, t.at)],
);
export type AuditEventRow = InferSelectModel<typeof auditEvents>;

/**
 * Retention policies (lib/retention): per registered backup folder, for one database or for every database in
 * it (`database` '*'), the rules `txline backup prune` takes (at least one; each a positive integer). Saved by
 * admins only (applying one deletes backups); the server applies the matching policy after each scheduled
 * backup as a prune job. A database's own policy wins over its folder's '*' one.
 */
export const retentionPolicies = sqliteTable(
  'retention_policies',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    folderId: integer('folder_id')
      .notNull()
      .references(() => backupFolders.id, { onDelete: 'cascade' }),
    /** a database name, or '*': every database of the folder without a policy of its own */
    database: text('database').notNull(),
    keepFull: integer('keep_full'),
    keepDays: integer('keep_days'),
    keepWeekly: integer('keep_weekly'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
  },
  (t) => [uniqueIndex('retention_policies_folder_database').on(t.folderId, t.database)],
);
export type RetentionPolicyRow = InferSelectModel<typeof retentionPolicies>;
/** The conditions an alert watches (lib/alerts/conditions.ts). */
export const ALERT_CONDITIONS = ['rpo', 'job_failed', 'lag', 'fallback', 'storage', 'drill'] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/**
 * Alert thresholds (lib/alerts/rules.ts): per database name, or `*` for every database; a condition without a
 * row uses its built-in default. `settings` is the condition's own fields (checked by its zod schema).
 */
export const alertRules = sqliteTable(
  'alert_rules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** a database name, or `*`: every database without its own row */
    database: text('database').notNull(),
    condition: text('condition', { enum: ALERT_CONDITIONS }).notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    settings: text('settings', { mode: 'json' }).$type<Record<string, number | null>>().notNull(),
    updatedBy: text('updated_by'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('alert_rules_database_condition').on(t.database, t.condition)],
);
export type AlertRuleRow = InferSelectModel<typeof alertRules>;

export const ALERT_STATES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * Alerts (lib/alerts/store.ts): one row per episode of a condition on a subject (a database of a cluster),
 * from firing to resolved; acknowledged in between says who and when. At most one open (not resolved)
 * episode per key. Every change is audited.
 */
export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** condition, cluster and database in one string: the identity of an episode's subject */
    key: text('key').notNull(),
    condition: text('condition', { enum: ALERT_CONDITIONS }).notNull(),
    cluster: text('cluster'),
    database: text('database'),
    state: text('state', { enum: ALERT_STATES }).notNull(),
    value: real('value'),
    threshold: real('threshold'),
    message: text('message').notNull(),
    /** when it started firing */
    since: integer('since').notNull(),
    updatedAt: integer('updated_at').notNull(),
    acknowledgedBy: text('acknowledged_by'),
    acknowledgedAt: integer('acknowledged_at'),
    resolvedAt: integer('resolved_at'),
  },
  (t) => [index('alerts_key_state').on(t.key, t.state), index('alerts_state').on(t.state, t.since)],
);
export type AlertRow = InferSelectModel<typeof alerts>;

/**
 * Webhook targets (lib/alerts/webhooks.ts), set by admins. The secret is sealed like a Neo4j password
 * (lib/sources/neo4j/secret.ts, bound to the target's URL) and never sent back to a page.
 */
export const webhookTargets = sqliteTable('webhook_targets', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  url: text('url').notNull(),
  secretSealed: text('secret_sealed'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  createdBy: text('created_by'),
  createdAt: createdAt(),
});
export type WebhookTargetRow = InferSelectModel<typeof webhookTargets>;

/** One row per delivery attempt of an alert change (or a test) to a target. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    targetId: integer('target_id')
      .notNull()
      .references(() => webhookTargets.id, { onDelete: 'cascade' }),
    alertId: integer('alert_id').references(() => alerts.id, { onDelete: 'set null' }),
    /** firing, acknowledged, resolved, or test */
    event: text('event').notNull(),
    attempt: integer('attempt').notNull(),
    outcome: text('outcome', { enum: ['ok', 'failed', 'refused'] }).notNull(),
    httpStatus: integer('http_status'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('webhook_deliveries_target_at').on(t.targetId, t.at)],
);
export type WebhookDeliveryRow = InferSelectModel<typeof webhookDeliveries>;

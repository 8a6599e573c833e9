/**
 * The `neo4j` cluster kind (issue 12): a real Neo4j cluster, watched over Bolt with the official neo4j-driver
 * and backed up, listed and restored by the DBA's own `neo4j-admin`. Registered in ../index.ts (CLUSTER_KINDS).
 * Its pure foundation (parsers and builders with no I/O, each tested on golden transcripts in
 * tests/fixtures/neo4j, PROVENANCE.md says where each shape comes from) is exported here; the modules with I/O
 * are imported by path:
 *
 *   kind.ts           the ClusterKind (status for the dashboard and `txline cluster status`; no controls)
 *   bolt.ts           neo4j-driver: bounded admin queries on `system`, errors by cause, one driver per settings
 *   secret.ts         the Bolt password sealed with AES-256-GCM (key file beside the catalog)
 *   backup-runner.ts  `txline database backup --cluster=<name>`: neo4j-admin, its log, inspect, checkBackupOutcome
 *
 *   values.ts      neo4j-driver record values → numbers, strings, lists; unknown stays null, never guessed
 *   topology.ts    SHOW SERVERS YIELD * / SHOW DATABASES YIELD * rows → Neo4jTopology → the dashboard's report
 *   version.ts     CALL dbms.components() → version and edition; per version, the neo4j-admin options accepted
 *   argv.ts        argv of `database backup`, `backup inspect`, `database restore`; the seeding Cypher
 *   inspect.ts     `backup inspect --format=TABULAR` → artifacts (Neo4jInspectRow)
 *   backup-log.ts  `database backup --verbose` log → events, per-database summary, progress lines
 *   exit.ts        exit codes 0/1/3/64/70 → TxlineError; "exit 0 is not proof" (checkBackupOutcome)
 *
 *   restore-runner.ts `txline database restore --cluster=<name>`: seeding (CREATE DATABASE ... OPTIONS) or neo4j-admin
 *
 * DESIGN NOTE: how the kind implements ClusterKind (../kind.ts). Done: status, capabilities, registration
 * (catalog columns, CLI, and the dashboard's Settings: lib/dashboard/commands/clusters.ts), the backup and
 * restore runners, indexing its artifacts in the catalog from `backup inspect` (lib/db/neo4j-indexer.ts), and
 * dashboard jobs: the job protocol's backup and restore inputs take `cluster` (and `via`), and the job runs the
 * CLI with --cluster=<name> (jobAccess gives it no address and no secret; the child opens the sealed password
 * from the catalog). The capture kit is scripts/neo4j-capture.mjs.
 *
 * A registered neo4j cluster (catalog row): kind 'neo4j', `addresses` = [the routing URI's host:port]
 * (neo4j://host:7687), the Bolt user, the password sealed in the catalog (never in clear, never logged, never in
 * an audit entry or an argv: `assertArgvFree` before every spawn), the path of its neo4j-admin, its
 * `--backup-from` list (default: each server's host with port 6362) and its location (`--to-path` default).
 * ClusterConnection needs room for these (a `neo4j?: {...}` member, or a kind-specific record the catalog
 * keeps); kind.ts's CLUSTER_KINDS gains 'neo4j'.
 *
 * - name 'neo4j', label 'Neo4j (Bolt + neo4j-admin)'.
 * - checkAddress(a): splitAddress (lib/net/address), as the txline kind; the URI scheme (neo4j://, bolt://,
 *   +s/+ssc) is checked where the cluster is registered.
 * - defaultConnection(e): a neo4j cluster is never the default one: NOT_SUPPORTED (the CLI names it with
 *   --cluster=<name>).
 * - capabilities(c): none. Neo4j has no "pause replication" and Txline does not run its processes: the UI
 *   hides those controls and says why; control(...) throws NOT_SUPPORTED naming what Neo4j does not allow.
 * - status(c, e, opts): one neo4j-driver session on `system` (routing driver, bounded by opts.timeoutMs):
 *     1. CALL dbms.components()         → parseComponents (version.ts), cached per cluster for the session
 *     2. SHOW SERVERS YIELD *           → rows; a Neo.ClientError.Security.Forbidden (missing privilege, or
 *                                          Community) is not fatal: servers = null, serversError = its message
 *     3. SHOW DATABASES YIELD *         → rows
 *   parseTopology({servers, serversError, databases}) then toClusterReport(t, {source, checkedAt}); never
 *   throws because a server is down (an unreachable routing URI or failed auth is the report's `problem`:
 *   UNAUTHENTICATED for Neo.ClientError.Security.Unauthorized, SOURCE_UNREACHABLE for ServiceUnavailable).
 *   Lag samples for the collector come from the same rows (lastCommittedTxn, replicationLag; null stays null:
 *   report.ts's DatabaseStatus must let those be null first — see Neo4jDatabaseStatus in topology.ts).
 * - jobAccess(c, e): the job process gets the catalog cluster's name, not its password; the CLI child reads the
 *   sealed password from the catalog itself (TXLINE_CATALOG) — a password in a child's env or argv is refused.
 * - openSource(c, opts) → Source & BackupDriver, or rather: the neo4j kind does not fit the engine's
 *   takeFull/takeDiff (Neo4j writes its own artifacts, in its own format). So `txline database backup
 *   --cluster=<name>` goes to a neo4j backup runner instead of backupDatabases:
 *     1. version = status step 1 (once per run);
 *     2. before = readdir(toPath);
 *     3. spawn(neo4jAdmin, backupArgv({version, from, toPath, type, compress, keepFailed, tempPath,
 *        preferDiffAsParent, verbose: true, databases})) with no shell, no secret, bounded by a timeout;
 *        stdout lines → parseBackupLogLine → toProgress → the job's JSON lines as they come;
 *        spawn error → adminSpawnError (neo4j-admin not found / not executable: SPAWN_FAILED);
 *     4. after = readdir(toPath); inspected = parseInspectTabular(stdout of spawn(neo4jAdmin,
 *        inspectArgv({version, path: toPath, empty: true})));
 *     5. checkBackupOutcome({databases, exit, log: summarizeBackupLog(events), before, after, inspected}):
 *        exit 0 with no new listed artifact is ADMIN_TOOL_FAILED; exit 64 is NOT_SUPPORTED naming the option;
 *        a partial file is never taken;
 *     6. each ok artifact is indexed in the catalog from its Neo4jInspectRow (database, databaseId, time, full,
 *        compressed, lowest/highest tx, recovered or null), with fallbackReason from the log.
 *   Which options to pass: backupOptionsFor(version) of the server's version (dbms.components) is the first
 *   guess, but the options are the neo4j-admin binary's, and the DBA's backup host may run an older one than
 *   the servers. So the runner keeps the version it detected per registered neo4j-admin, and an exit 64
 *   (NOT_SUPPORTED naming the option, `rejectedOptions`) is shown as "this neo4j-admin is older than the
 *   cluster" rather than retried without the option. (`neo4j-admin --version` would tell, but no capture of its
 *   output exists yet: add one with the capture kit before reading it.)
 *   `txline database restore --cluster=<name>` offers both ways and says which one runs:
 *     - seeding (the cluster way, artifacts reachable from every server: shared folder or object storage):
 *       seedDatabaseStatement({version, database, seed, until}) run on `system` with its parameters, then
 *       SHOW DATABASE x YIELD * until online (or its statusMessage); seedRestoreUntil needs 2025.01;
 *     - offline on one server: spawn(neo4jAdmin, restoreArgv({...})) where neo4j-admin runs beside that
 *       server's data; exit codes through adminExitError (exit 1 "already exists" → DESTINATION_EXISTS).
 *     Both take txline's exclusive point: the UI's "ends at transaction N" is untilAfterTx(N) (N + 1).
 * - payloadFormat: Neo4j's payloads are not Txline's container; `check`/`aggregate` of neo4j artifacts go to
 *   neo4j-admin (`database check`, `backup aggregate`) rather than the engine, so the kind either declares
 *   that (a PayloadFormat that throws NOT_SUPPORTED, and a capability the CLI and UI read), or ClusterKind
 *   grows an optional `payloadFormat`. To be decided with the catalog's indexing of neo4j artifacts.
 * - locateStartedHere: not defined (Txline never starts a Neo4j cluster).
 *
 * The stand-in neo4j-admin (tests/fixtures/neo4j-admin/neo4j-admin.mjs) plays every step above against the
 * embedded cluster, and can misbehave as the issue lists (STANDIN_MODE); with the embedded members' Bolt
 * server (lib/cluster/bolt, another helper's work) the whole kind runs end to end in tests.
 */
export * from './argv';
export * from './backup-log';
export * from './exit';
export * from './inspect';
export * from './topology';
export * from './version';
export { RowReader, toSafeInteger, type Row } from './values';

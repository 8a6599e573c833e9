/**
 * Where Txline cannot read a cluster's backups (a Neo4j cluster's: lib/sources/neo4j/kind.ts), the restore
 * wizard cannot search their transactions or preview a point. What it offers instead: restore into a scratch
 * database (a new one, beside the real one) and look there. Pure: the wizard's page and the commands share it.
 */

/** A scratch database's name for `database`: a new name, never the database itself. */
export function scratchName(database: string): string {
  return `${database}-scratch`;
}

/**
 * The txline arguments of a restore of `database` into a scratch database of a registered Neo4j cluster, from
 * its backup location, up to (not including) transaction `untilTx` when one is given.
 */
export function scratchRestoreArgs(a: { cluster: string; location: string | null; database: string; untilTx?: number | null }): string[] {
  return [
    'database',
    'restore',
    `--cluster=${a.cluster}`,
    `--from-path=${a.location ?? '<backup location>'}`,
    `--from-database=${a.database}`,
    ...(a.untilTx ? [`--restore-until=${a.untilTx}`] : []),
    scratchName(a.database),
  ];
}

/** The command line of those arguments, each quoted for a POSIX shell where it needs to be (as "Copy CLI command"). */
export function scratchRestoreLine(args: readonly string[]): string {
  const quote = (a: string) => (/^[A-Za-z0-9_./:=@,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['txline', ...args].map(quote).join(' ');
}

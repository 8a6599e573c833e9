/**
 * `txline schedule list|set|remove`: the backup schedules the server runs (lib/schedules), kept in the
 * catalog (TXLINE_CATALOG, or <data>/txline.sqlite). The work is in schedule-run.ts, loaded only when a
 * schedule command runs, so other commands do not load the catalog.
 */
import { Command } from 'commander';

export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('Backup schedules the server runs as jobs (full and differential crons per database or glob)')
    .addHelpText('after', '\nEnvironment: TXLINE_DATA_DIR, TXLINE_CATALOG, TXLINE_CLUSTER_FILE, TXLINE_CLUSTER_ADDRESSES, TXLINE_BACKUP_ROOTS.');
  schedule
    .command('list')
    .description('List the schedules with their next run times')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }) => {
      const { listCommand } = await import('./schedule-run');
      listCommand(o);
    });
  schedule
    .command('set')
    .description('Create or replace the schedule of a database (or glob, quoted: "n*") on a cluster')
    .argument('<database>', 'a database name or glob ("*": every database but system)')
    .option('--cluster <name>', 'the cluster (default: the embedded one)')
    .option('--full <cron>', 'cron of full backups, e.g. "0 2 * * *" (5 fields, or 6 with seconds first)')
    .option('--diff <cron>', 'cron of differential backups, e.g. "*/15 * * * *"')
    .requiredOption('--location <folder>', 'the backup folder, or s3://bucket/prefix, to write to (registered as a storage location if it is not yet)')
    .option('--tz <zone>', 'the time zone the crons are read in (an IANA name)', 'UTC')
    .option('--disabled', 'store the schedule switched off', false)
    .option('--drill <cron>', 'cron of the restore drills of each database it covers (default: daily, "30 3 * * *"; "off": none; not given: kept)')
    .option('--drill-to <cluster>', 'the cluster the drills of this database restore into (a database name, not a glob; "own": its own cluster, the default; not given: kept)')
    .action(async (database: string, o: { cluster?: string; full?: string; diff?: string; location: string; tz: string; disabled: boolean; drill?: string; drillTo?: string }) => {
      const { setCommand } = await import('./schedule-run');
      setCommand(database, o);
    });
  schedule
    .command('remove')
    .description('Remove the schedule of a database (or glob) on a cluster')
    .argument('<database>', 'the database name or glob the schedule was set for')
    .option('--cluster <name>', 'the cluster (default: the embedded one)')
    .action(async (database: string, o: { cluster?: string }) => {
      const { removeCommand } = await import('./schedule-run');
      removeCommand(database, o);
    });
}

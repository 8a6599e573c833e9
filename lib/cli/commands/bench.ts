/**
 * `txline bench cluster|engine|web|soak`: benchmarks that print their figures (npm run bench:*, npm run soak).
 */
import { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { parsePositiveInt } from '../args';

function parseLevels(value: string): number[] {
  const one = parsePositiveInt('--concurrency');
  const levels = value.split(',').map((v) => one(v.trim()));
  if (levels.length > 8) throw new InvalidArgumentError(`at most 8 levels, got ${levels.length}`);
  return levels;
}

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('Benchmarks that print their figures');
  bench
    .command('cluster')
    .description("The writer's commit rate and the followers' apply rate")
    .option('--seconds <n>', 'how long to write', parsePositiveInt('--seconds'), 10)
    .option('--concurrency <n,...>', 'concurrent clients, one measurement per level', parseLevels, [64, 256])
    .action(async (o) => {
      const { benchCluster } = await import('../../bench/cluster');
      await benchCluster({ seconds: o.seconds, concurrency: o.concurrency });
    });
  bench
    .command('engine')
    .description('Backup and restore speed on a generated store, against cp + sync')
    .option('--store-mib <n>', 'size of the generated store in MiB', parsePositiveInt('--store-mib'), 1024)
    .option('--diff-tx <n>', 'transactions in the differential measurements', parsePositiveInt('--diff-tx'), 100_000)
    .option('--diffs <n>', 'differentials the restore replays', parsePositiveInt('--diffs'), 10)
    .option('--keep-data', 'keep the generated cluster and backups', false)
    .option('--drill-only', 'only a restore drill of a full and its differentials (txline backup drill)', false)
    .option('--restore-from <dir>', 'only the restore rounds, from a folder an earlier run kept with --keep-data')
    .option('--rounds <n>', 'alternating rounds per ratio', parsePositiveInt('--rounds'), 5)
    .action(async (o) => {
      const { benchEngine } = await import('../../bench/engine');
      await benchEngine({ storeMiB: o.storeMib, diffTx: o.diffTx, diffs: o.diffs, keepData: o.keepData, drillOnly: o.drillOnly, restoreFrom: o.restoreFrom, rounds: o.rounds });
    });
  bench
    .command('web')
    .description("The dashboard's server time with 10,000 artifacts and 1 million lag samples (--scale=fleet: 50 clusters x 100 databases, 1 million artifacts, 10 million lag samples)")
    .addOption(new Option('--scale <name>', 'small: artifact files in a folder; fleet: a catalog seeded for 5,000 databases').choices(['small', 'fleet']).default('small'))
    .option('--artifacts <n>', 'artifact files to seed (small scale)', parsePositiveInt('--artifacts'), 10_000)
    .option('--samples <n>', 'lag samples to seed (default: 1 million; 10 million at the fleet scale)', parsePositiveInt('--samples'))
    .option('--runs <n>', 'timed requests per page', parsePositiveInt('--runs'), 15)
    .option('--keep-data', 'keep the seeded data folder', false)
    .option('--reuse <dir>', 'time the data folder an earlier run kept with --keep-data instead of seeding one (kept again)')
    .option('--only <text>', 'time only the requests whose label contains this text')
    .action(async (o) => {
      const { benchWeb } = await import('../../bench/web');
      await benchWeb({ scale: o.scale, artifacts: o.artifacts, samples: o.samples ?? (o.scale === 'fleet' ? 10_000_000 : 1_000_000), runs: o.runs, keepData: o.keepData, reuse: o.reuse, only: o.only });
    });
  bench
    .command('soak')
    .description('The dashboard under load for a while: users polling, the workload writing, backups in loops, restores (npm run soak)')
    .option('--minutes <n>', 'how long to run', parsePositiveInt('--minutes'), 10)
    .option('--users <n>', 'signed-in users polling the pages', parsePositiveInt('--users'), 10)
    .option('--restore-every-minutes <n>', 'minutes between restores (the first comes at half of it)', parsePositiveInt('--restore-every-minutes'), 3)
    .option('--keep-data', 'keep the data folder (it is kept anyway when the run fails)', false)
    .action(async (o) => {
      const { soak } = await import('../../bench/soak');
      await soak({ minutes: o.minutes, users: o.users, restoreEveryMinutes: o.restoreEveryMinutes, keepData: o.keepData });
    });
}

/**
 * `txline backup prune`: a retention policy applied to a folder of backups (lib/engine/prune.ts). Prints each
 * artifact it deletes (or, with --dry-run, would delete) with the reason, then per database the chains it keeps
 * and why, and the transactions it still restores.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { TxlineError } from '../../errors';
import { normalizeDatabaseName } from '../../graph/names';
import { describeArtifact } from '../../engine/delete';
import { prune, type PruneResult } from '../../engine/prune';
import { policyProblem } from '../../engine/retention';
import { formatBytes } from '../../engine/progress';
import { formatUtc } from '../../engine/restore-plan';
import type { JobSpec } from '../../jobs/protocol';
import { confineOption, engineLog, parseProgress, printResult, progressSink } from './database';

/** A keep rule's number: a positive integer (the message names the flag). */
function parseKeep(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${name} takes a positive integer, got "${raw}"`);
    return n;
  };
}

export function registerPruneCommand(backup: Command, capture?: (spec: JobSpec) => void): void {
  backup
    .command('prune')
    .description('Delete the backup chains a retention policy does not keep (whole chains, newest first; never what a kept backup needs)')
    .option('--from-path <dir>', 'the folder of artifacts')
    .option('--database <name>', 'only this database (default: every database in the folder)')
    .option('--keep-full <n>', 'keep the N restorable chains that reach the newest states', parseKeep('--keep-full'))
    .option('--keep-days <d>', 'keep everything needed to restore to any point of the last D days', parseKeep('--keep-days'))
    .option('--keep-weekly <w>', 'keep the chain holding the newest backup of each of the last W ISO weeks (UTC)', parseKeep('--keep-weekly'))
    .option('--dry-run', 'print what would be deleted and what would remain; delete nothing', false)
    .option('--json', 'print the result as JSON', false)
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl): one line per deleted artifact', parseProgress)
    .option('--verbose', 'debug lines in the log: each full verified', false)
    .addOption(confineOption())
    .action(async (o) => {
      if (!o.fromPath) throw new TxlineError('USAGE', '--from-path is required');
      const policy = {
        ...(o.keepFull !== undefined ? { keepFull: o.keepFull as number } : {}),
        ...(o.keepDays !== undefined ? { keepDays: o.keepDays as number } : {}),
        ...(o.keepWeekly !== undefined ? { keepWeekly: o.keepWeekly as number } : {}),
      };
      const problem = policyProblem(policy);
      if (problem) throw new TxlineError('USAGE', problem);
      const database = o.database !== undefined ? normalizeDatabaseName(o.database) : undefined;
      if (capture) {
        return capture({ kind: 'prune', input: { fromPath: o.fromPath, ...(database ? { database } : {}), ...policy, dryRun: o.dryRun, confineToRoots: o.confineToRoot ?? [] } });
      }
      const text = !o.progress && !o.json;
      const r = await prune({
        fromPath: o.fromPath,
        database,
        policy,
        dryRun: o.dryRun,
        log: engineLog(o.verbose),
        // every deleted artifact is a line of its own (a job shows which are gone): not throttled
        progress: progressSink(o.progress, 0),
        onDeleted: text ? (a) => process.stdout.write(`${o.dryRun ? 'would delete' : 'deleted'} ${a.file} (${a.database}, ${describeArtifact(a)}): ${a.reason}\n`) : undefined,
      });
      if (o.progress) {
        const gone = r.dryRun ? [] : r.deleted;
        printResult({ bytes: gone.reduce((n, a) => n + a.sizeBytes, 0), tx: gone.reduce((n, a) => n + a.txCount, 0) }, { exitCode: 0, ...r });
      } else if (o.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else printPruneSummary(r);
      process.exitCode = 0;
    });
}

/** Per database: the chains kept and why, what remains, and the range it restores. */
function printPruneSummary(r: PruneResult): void {
  if (r.deleted.length === 0) process.stdout.write(r.dryRun ? 'Nothing would be deleted.\n' : 'Nothing to delete.\n');
  else {
    const bytes = r.deleted.reduce((n, a) => n + a.sizeBytes, 0);
    process.stdout.write(`${r.dryRun ? 'Would delete' : 'Deleted'} ${r.deleted.length} artifact(s), ${formatBytes(bytes)}.\n`);
  }
  for (const d of r.databases) {
    for (const c of d.chains.filter((x) => x.keep)) {
      process.stdout.write(`${d.database}: keeps chain ${c.number} of ${d.chains.length} (${c.root}, ${c.artifacts} artifact(s), up to transaction ${c.toTx}): ${c.reasons.join('; ')}\n`);
    }
    const ranges = d.restorable.map((x) => `transactions ${x.fromTx}..${x.toTx} (${x.fromTime ? formatUtc(Date.parse(x.fromTime)) : 'from the start'} .. ${formatUtc(Date.parse(x.toTime))})`);
    const left = `${d.remaining} artifact(s) ${r.dryRun ? 'would remain' : 'remain'}`;
    process.stdout.write(`${d.database}: ${left}; ${ranges.length ? `restorable: ${ranges.join('; ')}` : 'no restorable backup chain'}\n`);
  }
}

/**
 * `txline backup drill`: proof by restore (lib/engine/drill.ts). The newest chain of a database at a location
 * (a folder or s3://) is restored into a scratch database on the drill target (the cluster `database restore`
 * would restore into, or the members given with --to), checked and dropped. Exit 0: the drill passed; 1: it
 * failed, naming the check and the artifact to blame.
 */
import { Option, type Command } from 'commander';
import { TxlineError } from '../../errors';
import { normalizeDatabaseName } from '../../graph/names';
import { dropLeftoverScratch, drill, type DrillPoint, type DrillResult } from '../../engine/drill';
import { formatDuration } from '../../engine/progress';
import { resolveLatest } from '../../engine/latest';
import type { JobSpec } from '../../jobs/protocol';
import { clusterKind, DEFAULT_KIND } from '../../sources';
import { confineOption, engineLog, openSource, parseAddresses, parsePaths, parseProgress, printResult, progressSink } from './database';

/** `--point`: latest, random, or a transaction ID (exclusive, as --restore-until). */
export function parseDrillPoint(raw: string | undefined): DrillPoint {
  const s = (raw ?? 'latest').trim().toLowerCase();
  if (s === 'latest' || s === 'random') return { kind: s };
  if (/^\d+$/.test(s) && Number.isSafeInteger(Number(s)) && Number(s) >= 1) return { kind: 'tx', before: Number(s) };
  throw new TxlineError('USAGE', `--point takes latest, random or a transaction ID (a positive integer, exclusive as --restore-until), got "${raw}"`);
}

export function registerDrillCommand(backup: Command, capture?: (spec: JobSpec) => void): void {
  backup
    .command('drill')
    .description("Restore a database's newest backup chain into a scratch database, check it (consistency, counts), measure the RTO, and drop it")
    .option('--from-path <path[,path...]>', 'a folder of artifacts or a location URL (s3://bucket/prefix), or a comma-separated list', parsePaths)
    .option('--database <name>', 'the database whose chain to drill')
    .option('--point <point>', 'latest (the newest transaction), random (a random point of the newest chain), or a transaction ID: up to but not including it', 'latest')
    .option('--to <host:port[,host:port...]>', 'a member of the cluster to drill into (default: the cluster, as database restore)', parseAddresses)
    .option('--temp-path <dir>', 'folder to rebuild the store in (default: the system temporary folder)')
    .option('--json', 'print the result as JSON', false)
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl)', parseProgress)
    .option('--verbose', 'debug lines in the log', false)
    .addOption(confineOption())
    // the server at its start: drops every scratch database a killed drill left on the cluster, and nothing else
    .addOption(new Option('--drop-leftovers', 'drop the scratch databases killed drills left on the cluster, then exit').hideHelp())
    .action(async (o) => {
      if (o.dropLeftovers && !capture) {
        const target = openSource(o.to, true);
        if (!target.scratch) throw new TxlineError('NOT_SUPPORTED', 'this cluster cannot hold scratch databases');
        const dropped = await dropLeftoverScratch(target.scratch, engineLog(o.verbose));
        process.stdout.write(dropped.length ? `dropped ${dropped.join(', ')}\n` : 'no scratch database left behind\n');
        return;
      }
      if (!o.fromPath) throw new TxlineError('USAGE', '--from-path is required');
      if (!o.database) throw new TxlineError('USAGE', '--database is required (the database whose chain to drill)');
      const point = parseDrillPoint(o.point);
      if (capture) {
        const input = {
          database: o.database,
          fromPath: o.fromPath,
          point: point.kind === 'tx' ? point : point.kind,
          to: o.to ?? [],
          confineToRoots: o.confineToRoot ?? [],
        };
        return capture({ kind: 'drill', input });
      }
      const log = engineLog(o.verbose);
      const r = await drill({
        fromPaths: await Promise.all((o.fromPath as string[]).map((p) => resolveLatest(p, log))),
        database: normalizeDatabaseName(o.database),
        point,
        target: openSource(o.to, true),
        format: clusterKind(DEFAULT_KIND).payloadFormat,
        tempPath: o.tempPath,
        log,
        progress: progressSink(o.progress),
      });
      const exitCode = r.passed ? 0 : 1;
      if (o.progress) printResult({ bytes: 0, tx: r.restoredTx ?? 0 }, { exitCode, ...r });
      else if (o.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else process.stdout.write(formatDrill(r));
      process.exitCode = exitCode;
    });
}

/** The drill for people: PASSED or FAILED with the check and artifact, each check, the RTO. */
export function formatDrill(r: DrillResult): string {
  const lines = [
    r.passed
      ? `PASSED: drill of ${r.database} at transaction ${r.restoredTx}; RTO ${formatDuration(r.rtoMs ?? 0)} (${formatDuration(r.durationMs)} in all)`
      : `FAILED: drill of ${r.database}: the ${r.failedCheck} check failed${r.artifact ? ` on ${r.artifact}` : ''}: ${r.problem}`,
    ...r.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`),
  ];
  return `${lines.join('\n')}\n`;
}

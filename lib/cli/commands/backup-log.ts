/**
 * `txline backup log` (the transactions of a chain, filtered by --match) and `txline backup preview` (counts
 * by label and type at a restore point, beside the newest point): finding the point before a restore.
 * The work is the engine's (lib/engine/txlog-browse.ts); the payloads are read by the cluster kind's format.
 */
import type { Command } from 'commander';
import { TxlineError } from '../../errors';
import { normalizeDatabaseName } from '../../graph/names';
import { parseRestorePoint } from '../../engine/restore-plan';
import { backupLog, formatEntry, formatPreview, previewRestore, previewSentences, type LogEntry } from '../../engine/txlog-browse';
import { MATCH_HELP, parseMatch } from '../../engine/txlog-match';
import type { JobSpec } from '../../jobs/protocol';
import { clusterKind, DEFAULT_KIND } from '../../sources';
import { parsePositiveInt } from '../args';
import { confineOption, engineLog, parsePaths, parseProgress, printResult, progressSink, restorePoint } from './database';

const parseTxId = (flag: string) => parsePositiveInt(flag);

function parseTime(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const p = parseRestorePoint(raw);
  if (!p || p.kind !== 'time') throw new TxlineError('USAGE', `${flag} takes a UTC time "YYYY-MM-DD HH:MM:SS", got "${raw}"`);
  return p.before;
}

const collect = (v: string, previous: string[] = []) => [...previous, v];

export function registerBackupLogCommands(backup: Command, capture?: (spec: JobSpec) => void): void {
  backup
    .command('log')
    .description("List the transactions of a database's newest backup chain, oldest first: what each created, changed and deleted, and the labels and types it touched")
    .option('--from-path <path[,path...]>', 'an artifact, a folder of artifacts, or a comma-separated list', parsePaths)
    .option('--database <name>', 'the database whose chain to read (needed when the folder holds several)')
    .option('--from-tx <id>', 'first transaction to list', parseTxId('--from-tx'))
    .option('--to-tx <id>', 'last transaction to list (inclusive)', parseTxId('--to-tx'))
    .option('--from-time <time>', 'list what was committed at or after this UTC time "YYYY-MM-DD HH:MM:SS"')
    .option('--to-time <time>', 'list what was committed before this UTC time "YYYY-MM-DD HH:MM:SS"')
    .option('--match <conditions>', `only transactions that touched a matching entity (repeatable: all must match): ${MATCH_HELP}`, collect)
    .option('--limit <n>', 'list at most this many transactions (default: every match)', parsePositiveInt('--limit'))
    .option('--json', 'print a JSON array of the entries', false)
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl), and the entries in the result line', parseProgress)
    .option('--verbose', 'debug lines in the log: each artifact read', false)
    .addOption(confineOption())
    .action(async (o) => {
      if (!o.fromPath) throw new TxlineError('USAGE', '--from-path is required');
      const matchTexts: string[] = o.match ?? [];
      const matches = matchTexts.map(parseMatch);
      const fromTime = parseTime('--from-time', o.fromTime);
      const toTime = parseTime('--to-time', o.toTime);
      if (capture) {
        if (o.database === undefined) throw new TxlineError('USAGE', 'a log job names its database (--database)');
        if (o.limit === undefined) throw new TxlineError('USAGE', 'a log job has a --limit (its result holds the entries)');
        const input = {
          database: o.database,
          fromPath: o.fromPath,
          ...(o.fromTx !== undefined ? { fromTx: o.fromTx } : {}),
          ...(o.toTx !== undefined ? { toTx: o.toTx } : {}),
          ...(fromTime !== undefined ? { fromTime } : {}),
          ...(toTime !== undefined ? { toTime } : {}),
          match: matchTexts,
          limit: o.limit,
          confineToRoots: o.confineToRoot ?? [],
        };
        return capture({ kind: 'log', input });
      }
      const entries: LogEntry[] = [];
      let first = true;
      // lines go out in 64 KiB writes: one write per transaction cost more than reading it
      let pending = '';
      const out = (text: string, flush = false) => {
        pending += text;
        if (flush || pending.length >= 65_536) {
          process.stdout.write(pending);
          pending = '';
        }
      };
      const onEntry = (e: LogEntry) => {
        if (o.progress) entries.push(e);
        else if (o.json) {
          out(`${first ? '[\n' : ',\n'}  ${JSON.stringify(e)}`);
          first = false;
        } else out(`${formatEntry(e)}\n`);
      };
      const log = engineLog(o.verbose);
      const t0 = performance.now();
      const r = await backupLog(
        {
          fromPaths: o.fromPath,
          database: o.database ? normalizeDatabaseName(o.database) : undefined,
          fromTx: o.fromTx,
          toTx: o.toTx,
          fromTime,
          toTime,
          matches,
          limit: o.limit,
          format: clusterKind(DEFAULT_KIND).payloadFormat,
          log,
          progress: progressSink(o.progress),
        },
        onEntry,
      );
      if (o.progress) {
        printResult({ bytes: 0, tx: r.scanned }, { exitCode: 0, ...r, entries });
      } else out(o.json ? (first ? '[]\n' : '\n]\n') : '', true);
      log.info(
        `${r.matched} transaction(s) listed of ${r.scanned} read in ${((performance.now() - t0) / 1000).toFixed(2)} s${r.nextTx !== null ? `; more from --from-tx=${r.nextTx}` : ''}`,
      );
      process.exitCode = 0;
    });

  backup
    .command('preview')
    .description('Counts by label and relationship type of the store a restore to a point would give, and the difference from the newest point')
    .option('--from-path <path[,path...]>', 'an artifact, a folder of artifacts, or a comma-separated list', parsePaths)
    .option('--database <name>', 'the database whose backups to use (needed when the folder holds several)')
    .option('--restore-until <point>', 'the point, as in database restore: up to but not including this transaction ID, or before "YYYY-MM-DD HH:MM:SS" (UTC)')
    .option('--temp-path <dir>', 'folder to rebuild the stores in (default: the system temporary folder)')
    .option('--json', 'print JSON', false)
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl)', parseProgress)
    .option('--verbose', 'debug lines in the log', false)
    .addOption(confineOption())
    .action(async (o) => {
      if (!o.fromPath) throw new TxlineError('USAGE', '--from-path is required');
      if (o.restoreUntil === undefined) throw new TxlineError('USAGE', '--restore-until is required (the point to preview)');
      const point = restorePoint(o.restoreUntil);
      if (point.kind === 'latest') throw new TxlineError('USAGE', '--restore-until is required');
      if (capture) {
        if (o.database === undefined) throw new TxlineError('USAGE', 'a preview job names its database (--database)');
        return capture({ kind: 'preview', input: { database: o.database, fromPath: o.fromPath, restoreUntil: point, confineToRoots: o.confineToRoot ?? [] } });
      }
      const r = await previewRestore({
        fromPaths: o.fromPath,
        database: o.database ? normalizeDatabaseName(o.database) : undefined,
        point,
        format: clusterKind(DEFAULT_KIND).payloadFormat,
        tempPath: o.tempPath,
        log: engineLog(o.verbose),
        progress: progressSink(o.progress),
      });
      const fields = { ...r, sentences: previewSentences(r) };
      if (o.progress) printResult({ bytes: 0, tx: r.newest.txId }, { exitCode: 0, ...fields });
      else if (o.json) process.stdout.write(`${JSON.stringify(fields, null, 2)}\n`);
      else process.stdout.write(`${formatPreview(r, point)}\n`);
      process.exitCode = 0;
    });
}

/**
 * `neo4j-admin backup inspect <path> --format=TABULAR` output as artifacts. Pure: text in, rows out.
 *
 * The documented table: a header line `| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED |
 * LOWEST TX | HIGHEST TX |`, with `RECOVERED` from 2025.06, then one line per artifact, cells padded to the
 * column's width. Columns are found by their header names, whatever their widths and order; columns not
 * named here are kept in `extra` (e.g. `STORE ID HASH`); `RECOVERED` is null where the version does not print
 * it. Blank lines, border lines and log lines are skipped. Anything else that cannot be read is an error that
 * names its line: a backup is never listed from a line half understood.
 *
 * `--format=JSON` is not read: no capture of it from a real neo4j-admin exists yet.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TxlineError } from '../../errors';

export interface Neo4jInspectRow {
  /** the FILE cell as printed (a file:// URI, or s3://, gs://, azb:// ...) */
  uri: string;
  /** the local path of a file:// URI; null for other schemes */
  path: string | null;
  /** the artifact's file name (the last part of the URI) */
  file: string;
  database: string;
  databaseId: string;
  /** ISO 8601 UTC ("2024-10-07T16:05:37Z") */
  time: string;
  full: boolean;
  compressed: boolean;
  lowestTx: number;
  highestTx: number;
  /** null: the version does not print RECOVERED (before 2025.06) */
  recovered: boolean | null;
  /** columns this parser does not know, by header name */
  extra: Record<string, string>;
}

const REQUIRED = ['FILE', 'DATABASE', 'DATABASE ID', 'TIME (UTC)', 'FULL', 'COMPRESSED', 'LOWEST TX', 'HIGHEST TX'] as const;
const KNOWN = new Set<string>([...REQUIRED, 'RECOVERED']);
/** A Neo4j log line ("2025-10-12 06:53:33.932+0000 WARN [...] ...") printed around the table. */
const LOG_LINE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\s+(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR)\b/;
/** +-----+ or |-----|-----| */
const BORDER = /^[+|][-+|=\s]*$/;

function fail(lineNo: number, line: string, why: string): never {
  const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  throw new TxlineError('ADMIN_TOOL_FAILED', `neo4j-admin backup inspect output, line ${lineNo}: ${why}: ${JSON.stringify(shown)}`);
}

function cellsOf(line: string): string[] {
  const t = line.trim();
  const inner = t.slice(1, t.endsWith('|') && t.length > 1 ? -1 : undefined);
  return inner.split('|').map((c) => c.trim());
}

export function parseInspectTabular(text: string): Neo4jInspectRow[] {
  if (text.length > 64 * 1024 * 1024) throw new TxlineError('ADMIN_TOOL_FAILED', 'neo4j-admin backup inspect printed more than 64 MiB');
  const lines = text.split(/\r?\n/);
  let header: string[] | null = null;
  const rows: Neo4jInspectRow[] = [];
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
    const t = line.trim();
    if (t === '' || LOG_LINE.test(t) || (t.startsWith('+') && BORDER.test(t)) || (header && BORDER.test(t) && /-{3}/.test(t))) return;
    if (!t.startsWith('|')) {
      if (header) fail(lineNo, line, 'not a row of the table');
      return; // text before the table (a notice): not ours to read
    }
    if (!header) {
      const h = cellsOf(t).map((c) => c.toUpperCase().replace(/\s+/g, ' '));
      if (!h.includes('FILE')) fail(lineNo, line, 'a table without a FILE column');
      const missing = REQUIRED.filter((c) => !h.includes(c));
      if (missing.length) {
        const hint = missing.includes('DATABASE') ? ' (before 2025.07, neo4j-admin prints the metadata only with --show-metadata)' : '';
        fail(lineNo, line, `the header lacks ${missing.join(', ')}${hint}`);
      }
      if (new Set(h).size !== h.length) fail(lineNo, line, 'a column name appears twice in the header');
      header = h;
      return;
    }
    rows.push(readRow(header, cellsOf(t), lineNo, line));
  });
  return rows;
}

function readRow(header: string[], cells: string[], lineNo: number, line: string): Neo4jInspectRow {
  // A file name may itself hold "|": when FILE is the first column, the surplus cells are its own.
  if (cells.length > header.length && header[0] === 'FILE') {
    const surplus = cells.length - header.length;
    cells = [cells.slice(0, surplus + 1).join('|'), ...cells.slice(surplus + 1)];
  }
  if (cells.length !== header.length) fail(lineNo, line, `${cells.length} cells for ${header.length} columns`);
  const by = new Map(header.map((h, i) => [h, cells[i]]));
  const get = (c: string) => by.get(c) ?? '';
  const bool = (c: string): boolean => {
    const v = get(c).toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    return fail(lineNo, line, `${c} is "${get(c)}", not true or false`);
  };
  const tx = (c: string): number => {
    const v = get(c);
    if (!/^\d{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) fail(lineNo, line, `${c} is "${v}", not a transaction ID`);
    return Number(v);
  };
  const uri = get('FILE');
  if (uri === '') fail(lineNo, line, 'FILE is empty');
  let localPath: string | null = null;
  if (/^file:/i.test(uri)) {
    try {
      localPath = fileURLToPath(uri);
    } catch (e) {
      fail(lineNo, line, `FILE is not a usable file URI (${(e as Error).message})`);
    }
  } else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    localPath = uri; // a plain path, as some versions may print
  }
  let file = '';
  try {
    file = localPath !== null ? path.basename(localPath) : decodeURIComponent(uri.replace(/\/+$/, '').split('/').pop() ?? '');
  } catch {
    fail(lineNo, line, 'FILE is not a well-formed URI');
  }
  if (!file || file === '.' || file === '..' || /[\\/\0]/.test(file)) fail(lineNo, line, 'FILE names no file');
  const database = get('DATABASE');
  if (!/^[A-Za-z][A-Za-z0-9.\-_]*$/.test(database)) fail(lineNo, line, `DATABASE is "${database}", not a database name`);
  const databaseId = get('DATABASE ID');
  if (!/^[0-9A-Za-z-]{1,128}$/.test(databaseId)) fail(lineNo, line, `DATABASE ID is "${databaseId}"`);
  const timeText = get('TIME (UTC)');
  const tm = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?Z?$/.exec(timeText);
  const time = tm ? `${tm[1]}T${tm[2]}${tm[3] ?? ''}Z` : '';
  if (!tm || Number.isNaN(Date.parse(time))) fail(lineNo, line, `TIME (UTC) is "${timeText}", not a date and time`);
  const full = bool('FULL');
  const lowestTx = tx('LOWEST TX');
  const highestTx = tx('HIGHEST TX');
  if (lowestTx > highestTx) fail(lineNo, line, `LOWEST TX ${lowestTx} is above HIGHEST TX ${highestTx}`);
  const extra: Record<string, string> = {};
  for (const [h, v] of by) if (!KNOWN.has(h)) extra[h] = v;
  return {
    uri,
    path: localPath,
    file,
    database,
    databaseId,
    time,
    full,
    compressed: bool('COMPRESSED'),
    lowestTx,
    highestTx,
    recovered: by.has('RECOVERED') ? bool('RECOVERED') : null,
    extra,
  };
}

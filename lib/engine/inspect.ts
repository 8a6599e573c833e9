/**
 * Inspect: the artifacts of a folder (or one file) as Neo4j's table, or as JSON with fixed keys that tools
 * outside the project read.
 */
import { TxlineError } from '../errors';
import { listArtifactsIn, listWhere, openWhere, type Artifact } from './artifact';
import { byTime, chainTo, isEmpty } from './chain';

export interface InspectOptions {
  path: string;
  database?: string;
  latestBackup?: boolean;
  latestChain?: boolean;
  /** include empty differentials */
  empty?: boolean;
}

export interface InspectRow {
  file: string;
  database: string;
  databaseId: string;
  storeId: string;
  time: string;
  full: boolean;
  compressed: boolean;
  lowestTx: number;
  highestTx: number;
  recovered: boolean;
  parent: string | null;
  sizeBytes: number;
  sha256: string;
  member: string | null;
}

/**
 * Without `empty`, empty differentials are left out, also when choosing the latest backup (the latest one
 * that holds something) and from a chain. An artifact named on its own is always listed.
 */
export async function inspect(opts: InspectOptions): Promise<{ rows: InspectRow[]; problems: Array<{ file: string; message: string }> }> {
  if (opts.latestBackup && opts.latestChain) throw new TxlineError('USAGE', '--latest-backup and --latest-chain cannot be used together');
  const where = openWhere(opts.path, 'path');
  const listed = await listWhere(where);
  let arts = listed.artifacts;
  const single = where.name !== null ? arts[0] : null;
  if (opts.database) arts = arts.filter((a) => a.database === opts.database?.toLowerCase());
  const shown = (a: Artifact) => opts.empty || a === single || !isEmpty(a);
  let chosen: Artifact[];
  if (opts.latestBackup) {
    chosen = latestPer(arts.filter(shown));
  } else if (opts.latestChain) {
    const pool = single ? (await listArtifactsIn(where.location)).artifacts : arts;
    chosen = [];
    for (const end of single ? arts : latestPer(arts)) {
      const c = chainTo(end, pool.filter((a) => a.database === end.database));
      chosen.push(...(c.ok ? c.chain : [end]).filter(shown));
    }
  } else {
    chosen = arts.filter(shown);
  }
  const rows = [...chosen].sort(byTime).reverse().map(toRow);
  return { rows, problems: listed.problems.map((p) => ({ file: p.file, message: p.error.message })) };
}

function latestPer(arts: Artifact[]): Artifact[] {
  const by = new Map<string, Artifact>();
  for (const a of [...arts].sort(byTime)) by.set(a.database, a);
  return [...by.values()];
}

export function toRow(a: Artifact): InspectRow {
  return {
    file: a.file,
    database: a.database,
    databaseId: a.databaseId,
    storeId: a.storeId,
    time: a.time,
    full: a.full,
    compressed: a.compressed,
    lowestTx: a.lowestTx,
    highestTx: a.highestTx,
    recovered: a.recovered,
    parent: a.parent,
    sizeBytes: a.payload.sizeBytes,
    sha256: a.payload.sha256,
    member: a.member?.id ?? null,
  };
}

export const TABLE_COLUMNS = ['FILE', 'DATABASE', 'DATABASE ID', 'TIME (UTC)', 'FULL', 'COMPRESSED', 'LOWEST TX', 'HIGHEST TX', 'RECOVERED', 'PARENT'] as const;

export function formatTable(rows: InspectRow[]): string {
  const cells = rows.map((r) => [
    r.file,
    r.database,
    r.databaseId,
    r.time.slice(0, 19),
    String(r.full),
    String(r.compressed),
    String(r.lowestTx),
    String(r.highestTx),
    String(r.recovered),
    r.parent ?? '-',
  ]);
  const widths = TABLE_COLUMNS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (cols: readonly string[]) => `| ${cols.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  return [line(TABLE_COLUMNS), ...cells.map(line)].join('\n');
}

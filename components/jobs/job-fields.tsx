/**
 * A job's parameters or result as labelled fields (what a DBA reads), with the raw JSON behind a disclosure
 * (what a bug report needs). Top-level values are shown in words: booleans as yes/no, sizes in bytes as sizes,
 * a backup's per-database results and a restore's chain as short lists; anything else nested stays in the raw
 * JSON. Known keys get their words; others are split from camelCase.
 */
import type { ReactNode } from 'react';
import { formatBytes, formatNumber, formatUtc } from '@/lib/format';

const LABELS: Record<string, string> = {
  clusterId: 'Cluster ID',
  folderId: 'Backup folder ID',
  database: 'Database',
  type: 'Type',
  member: 'Source member',
  compress: 'Compress',
  preferDiffAsParent: 'Prefer a differential as parent',
  point: 'Restore point',
  artifactId: 'Backup (artifact ID)',
  tx: 'Restore until transaction',
  time: 'Restore until (UTC)',
  targetMode: 'Target',
  newName: 'New database name',
  confirm: 'Confirmation typed',
  bytesDone: 'Bytes',
  bytesTotal: 'Bytes in total',
  txDone: 'Transactions',
  txTotal: 'Transactions in total',
  exitCode: 'Exit code',
  problems: 'Problems',
  results: 'Databases',
  restoredTx: 'Database ends at transaction',
  replayed: 'Transactions replayed',
  storeId: 'New store ID',
  chain: 'Chain used',
  digest: 'Digest',
  ts: 'Reported at',
  keepOldBackup: 'Keep the old backups',
  withDependents: 'With dependents',
  files: 'Files',
};

/** Keys that say nothing to a reader (the protocol's own) or are shown elsewhere on the page. */
const SKIP = new Set(['event', 'phase', 'preview']);

const WORDS: Record<string, Record<string, string>> = {
  type: { auto: 'auto (differential when possible)', full: 'full', diff: 'differential' },
  targetMode: { replace: 'replace the database', new: 'a new database' },
  point: { latest: 'the latest backup', artifact: 'a backup', tx: 'a transaction ID', time: 'a time (UTC)' },
};

export function labelOf(key: string): string {
  return LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^\w/, (c) => c.toUpperCase()).replace(/ ([A-Z])/g, (_, c: string) => ` ${c.toLowerCase()}`);
}

function valueOf(key: string, v: unknown): ReactNode | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return key.startsWith('bytes') ? formatBytes(v) : key === 'exitCode' || key.endsWith('Id') ? String(v) : formatNumber(v);
  if (typeof v === 'string') {
    if (key === 'ts' && !Number.isNaN(Date.parse(v))) return formatUtc(v);
    return WORDS[key]?.[v] ?? v;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return key === 'problems' ? 'none' : undefined;
    if (v.every((x) => typeof x === 'string')) {
      return (
        <ul className="space-y-0.5">
          {v.map((x, i) => (
            <li key={i} className="break-all font-mono text-xs">
              {x}
            </li>
          ))}
        </ul>
      );
    }
    if (key === 'results') {
      return (
        <ul className="space-y-0.5">
          {v.map((r, i) => {
            const o = (r ?? {}) as { database?: string; ok?: boolean; type?: string; artifact?: string; fallbackReason?: string; error?: { code?: string; message?: string } };
            return (
              <li key={i}>
                {o.database ?? '?'}: {o.ok ? 'ok' : 'failed'}
                {o.type ? `, ${WORDS.type[o.type] ?? o.type}` : ''}
                {o.artifact ? (
                  <>
                    , <code className="break-all font-mono text-xs">{o.artifact}</code>
                  </>
                ) : null}
                {o.fallbackReason ? ` (fell back to a full: ${o.fallbackReason})` : ''}
                {o.error ? ` (${o.error.code ?? ''}: ${o.error.message ?? ''})` : ''}
              </li>
            );
          })}
        </ul>
      );
    }
    return `${formatNumber(v.length)} items (see the raw JSON)`;
  }
  if (typeof v === 'object' && key === 'digest') {
    const d = v as { nodes?: number; relationships?: number; contentHash?: string };
    return `${formatNumber(d.nodes ?? 0)} nodes, ${formatNumber(d.relationships ?? 0)} relationships, SHA-256 ${String(d.contentHash ?? '').slice(0, 16)}…`;
  }
  return undefined;
}

export function JobFields({ value, label }: { value: Record<string, unknown>; label: string }) {
  const rows = Object.entries(value).flatMap(([k, v]) => {
    if (SKIP.has(k)) return [];
    const shown = valueOf(k, v);
    return shown === undefined ? [] : [[k, shown] as const];
  });
  return (
    <div className="space-y-2" data-testid={`job-fields-${label.toLowerCase()}`}>
      {rows.length ? (
        <dl className="grid gap-x-4 gap-y-1.5 text-sm sm:grid-cols-[max-content_1fr]">
          {rows.map(([k, shown]) => (
            <div key={k} className="contents" data-field={k}>
              <dt className="text-zinc-500 dark:text-zinc-400">{labelOf(k)}</dt>
              <dd className="min-w-0 break-words">{shown}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Nothing to show.</p>
      )}
      <details className="text-sm">
        <summary className="cursor-pointer text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">Raw JSON</summary>
        <pre
          tabIndex={0}
          role="region"
          aria-label={`${label} (raw JSON)`}
          className="mt-2 max-h-80 overflow-auto rounded-lg border border-zinc-200 bg-white p-3 font-mono text-xs outline-none focus-visible:ring-2 focus-visible:ring-teal-500 dark:border-zinc-800 dark:bg-zinc-900"
        >
          {JSON.stringify(value, null, 2)}
        </pre>
      </details>
    </div>
  );
}

/**
 * Transaction-log retention and size settings, in Neo4j's notation:
 * `db.tx_log.rotation.retention_policy` (`3 files`, `100M size`, `500k txs`, `12 hours`, `2 days`, `keep_all`)
 * and `db.tx_log.rotation.size` (`1M`, `256M`, `512K`, plain bytes).
 */
import { TxlineError } from '../errors';

export type RetentionPolicy =
  | { kind: 'keep_all' }
  | { kind: 'files'; count: number }
  | { kind: 'size'; bytes: number }
  | { kind: 'txs'; count: number }
  | { kind: 'age'; ms: number };

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

export function parseSize(raw: string): number {
  const m = /^\s*(\d+)\s*([KMG]?)(?:i?B)?\s*$/i.exec(raw);
  if (!m) throw new TxlineError('INVALID_ARGUMENT', `Invalid size "${raw}": expected a number with an optional K, M or G suffix, e.g. 1M.`);
  const bytes = Number(m[1]) * UNITS[m[2].toUpperCase()];
  if (bytes <= 0) throw new TxlineError('INVALID_ARGUMENT', `Invalid size "${raw}": must be greater than zero.`);
  return bytes;
}

export function parseRetention(raw: string): RetentionPolicy {
  const s = raw.trim();
  if (/^(keep_all|true)$/i.test(s)) return { kind: 'keep_all' };
  let m = /^(\d+)\s*files?$/i.exec(s);
  if (m) return { kind: 'files', count: positive(Number(m[1]), raw) };
  m = /^(\d+\s*[KMG]?)\s*size$/i.exec(s);
  if (m) return { kind: 'size', bytes: parseSize(m[1]) };
  m = /^(\d+)\s*([km]?)\s*txs?$/i.exec(s);
  if (m) return { kind: 'txs', count: positive(Number(m[1]) * ({ '': 1, k: 1e3, m: 1e6 } as Record<string, number>)[m[2].toLowerCase()], raw) };
  m = /^(\d+)\s*(hours?|h|days?|d)$/i.exec(s);
  if (m) {
    const hours = m[2].toLowerCase().startsWith('h') ? 1 : 24;
    return { kind: 'age', ms: positive(Number(m[1]), raw) * hours * 3_600_000 };
  }
  throw new TxlineError(
    'INVALID_ARGUMENT',
    `Invalid retention policy "${raw}": expected "N files", "N[K|M|G] size", "N txs", "N hours", "N days" or "keep_all".`,
  );
}

function positive(n: number, raw: string): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new TxlineError('INVALID_ARGUMENT', `Invalid retention policy "${raw}": the number must be positive.`);
  return n;
}

export function formatRetention(p: RetentionPolicy): string {
  switch (p.kind) {
    case 'keep_all':
      return 'keep_all';
    case 'files':
      return `${p.count} files`;
    case 'size':
      return `${p.bytes} size`;
    case 'txs':
      return `${p.count} txs`;
    case 'age':
      return p.ms % 86_400_000 === 0 ? `${p.ms / 86_400_000} days` : `${p.ms / 3_600_000} hours`;
  }
}

'use client';

/**
 * Transactions the writer has committed since the latest restorable point, live: what a restore now would lose.
 */
import { formatNumber } from '@/lib/format';
import { useWriter, type WriterState } from './writer-query';

export function TxSince({
  clusterId,
  database,
  initialWriter,
  restorableToTx,
  storeId,
}: {
  clusterId: number | null;
  database: string;
  initialWriter: WriterState | null;
  restorableToTx: number;
  /** the store ID of the latest backups: after a restore the writer's IDs belong to another history */
  storeId: string | null;
}) {
  const { writer } = useWriter(clusterId, database, initialWriter);
  if (!writer) return <span className="text-zinc-500">—</span>;
  if (storeId && writer.storeId && writer.storeId !== storeId) {
    return (
      <span data-testid="tx-since" title="The database has a new store ID (it was restored or recreated) since its latest backup: its transaction IDs start a new history">
        store ID changed since
      </span>
    );
  }
  const since = Math.max(0, writer.lastTx - restorableToTx);
  return (
    <span data-testid="tx-since" data-value={since} className={since > 0 ? 'tabular-nums' : 'tabular-nums text-emerald-700 dark:text-emerald-400'}>
      {formatNumber(since)} tx since
    </span>
  );
}

/** The writer and its last committed transaction, live. */
export function WriterTx({ clusterId, database, initialWriter }: { clusterId: number | null; database: string; initialWriter: WriterState | null }) {
  const { writer, error } = useWriter(clusterId, database, initialWriter);
  if (!writer) return <span className="text-zinc-500">{error ? `cluster status unavailable (${error.message})` : 'no writer reported'}</span>;
  return (
    <span>
      writer <span className="font-medium">{writer.memberId}</span> at transaction{' '}
      <span data-testid="writer-last-tx" data-value={writer.lastTx} className="font-mono tabular-nums">
        {formatNumber(writer.lastTx)}
      </span>
    </span>
  );
}

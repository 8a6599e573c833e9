/**
 * What a restore will do, from previewRestoreAction: the chain of backups it reads (the full first), how
 * many transactions it replays after the full, and the transaction the database will end at.
 */
import { Badge } from '@/components/ui/badge';
import { UtcTime } from '@/components/ui/utc-time';
import type { RestorePreview } from '@/lib/dashboard/commands';
import { formatNumber } from '@/lib/format';

export function RestorePlan({ preview, checking, blocked = false }: { preview: RestorePreview | null; checking: boolean; blocked?: boolean }) {
  if (!preview) {
    if (checking) return <p className="text-sm text-zinc-500 dark:text-zinc-400">Working out which backups this needs…</p>;
    return <p className="text-sm text-zinc-500 dark:text-zinc-400">{blocked ? 'No restore can be planned for this choice; see the message above.' : 'Choose a restore point to see which backups it uses.'}</p>;
  }
  return (
    <div data-testid="restore-plan" aria-busy={checking} className={`rounded-lg border border-zinc-200 bg-zinc-50 p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900/60 ${checking ? 'opacity-70' : ''}`}>
      <p>
        Uses <strong>{formatNumber(preview.chain.length)}</strong> backup{preview.chain.length === 1 ? '' : 's'} and replays{' '}
        <strong data-testid="plan-tx-to-replay" data-value={preview.txToReplay}>
          {formatNumber(preview.txToReplay)}
        </strong>{' '}
        transaction{preview.txToReplay === 1 ? '' : 's'} after the full backup;{' '}
        {preview.targetTx !== null ? (
          <>
            the database ends at transaction{' '}
            <strong data-testid="plan-target-tx" data-value={preview.targetTx}>
              {formatNumber(preview.targetTx)}
            </strong>
            .
          </>
        ) : (
          <>the last transaction is known once the replay reaches {preview.stopBeforeTime !== null ? <UtcTime value={preview.stopBeforeTime} /> : 'the end'}.</>
        )}
      </p>
      <ol className="mt-2 space-y-1" aria-label="Backups this restore uses" data-testid="plan-chain">
        {preview.chain.map((a) => (
          <li key={a.id} className="flex flex-wrap items-center gap-2">
            <Badge tone={a.full ? 'info' : 'neutral'}>{a.full ? 'full' : 'diff'}</Badge>
            <span className="font-mono text-xs">{a.file}</span>
            <span className="text-xs text-zinc-500 dark:text-zinc-400">
              {a.full ? `store at ${formatNumber(a.highestTx)}` : a.highestTx === 0 ? 'no transactions' : `transactions ${formatNumber(a.lowestTx)}..${formatNumber(a.highestTx)}`} · <UtcTime value={a.time} />
            </span>
          </li>
        ))}
      </ol>
      {preview.skippedCorrupt?.length ? (
        <p className="mt-2 text-xs text-amber-800 dark:text-amber-300" data-testid="plan-skipped-corrupt">
          Left out: {preview.skippedCorrupt.length === 1 ? 'a backup' : `${formatNumber(preview.skippedCorrupt.length)} backups`} that a verification found corrupt (
          {preview.skippedCorrupt.map((a) => a.file).join(', ')}).
        </p>
      ) : null}
    </div>
  );
}

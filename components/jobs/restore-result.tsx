/**
 * What a finished restore reports (the CLI's result line): the transaction the database is at, how many
 * transactions were replayed, how long it took and the size of the store it installed, its new store ID, the
 * chain used, and the digest of the installed store.
 * Shown by the restore wizard's last step and on a restore job's page.
 */
import type { ReactNode } from 'react';
import { formatBytes, formatDuration, formatNumber } from '@/lib/format';
import { isNeo4jRestoreResult, type JobResult, type Neo4jRestoreJobResult } from '@/lib/jobs/protocol';

export function RestoreResultSummary({ result, job }: { result: JobResult<'restore'>; job?: { startedAt: number | null; endedAt: number | null } }) {
  const took = job?.startedAt != null && job.endedAt != null ? job.endedAt - job.startedAt : null;
  if (isNeo4jRestoreResult(result)) return <Neo4jRestoreSummary result={result} took={took} />;
  const items: Array<[string, string, ReactNode]> = [
    ['result-last-tx', 'Database ends at transaction', formatNumber(result.digest.lastCommittedTxn)],
    ['result-nodes', 'Nodes', formatNumber(result.digest.nodes)],
    ['result-relationships', 'Relationships', formatNumber(result.digest.relationships)],
    ['result-replayed', 'Transactions replayed', formatNumber(result.replayed)],
  ];
  return (
    <div className="space-y-4" data-testid="restore-result">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {items.map(([testId, label, value]) => (
          <div key={testId} className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
            <dt className="text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">{label}</dt>
            <dd className="mt-1 font-mono text-xl tabular-nums" data-testid={testId}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        {took !== null ? (
          <>
            <dt className="text-zinc-500 dark:text-zinc-400">Took</dt>
            <dd data-testid="result-took">{formatDuration(took)}</dd>
          </>
        ) : null}
        <dt className="text-zinc-500 dark:text-zinc-400">Restored store size</dt>
        <dd data-testid="result-bytes">{formatBytes(result.bytesDone)}</dd>
        <dt className="text-zinc-500 dark:text-zinc-400">Content digest (content sum)</dt>
        <dd className="break-all font-mono" data-testid="result-content-hash">
          {result.digest.contentHash}
        </dd>
        <dt className="text-zinc-500 dark:text-zinc-400">New store ID</dt>
        <dd className="break-all font-mono" data-testid="result-store-id">
          {result.storeId}
        </dd>
        <dt className="text-zinc-500 dark:text-zinc-400">Chain used</dt>
        <dd>
          {result.chain.length ? (
            <ol className="list-decimal space-y-0.5 pl-5 font-mono text-xs">
              {result.chain.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ol>
          ) : (
            '—'
          )}
        </dd>
      </dl>
    </div>
  );
}

/** A Neo4j cluster's restore: which way ran, and each copy as SHOW DATABASES lists it once online. */
function Neo4jRestoreSummary({ result, took }: { result: Neo4jRestoreJobResult; took: number | null }) {
  return (
    <div className="space-y-3" data-testid="restore-result">
      <p className="text-sm">
        Restored <strong>{result.database}</strong> on Neo4j {result.neo4jVersion}{' '}
        {result.via === 'seed' ? 'by seeding (CREATE DATABASE … OPTIONS {seedURI})' : 'with neo4j-admin database restore'}
        {took !== null ? ` in ${formatDuration(took)}` : ''}.
      </p>
      {result.copies.length ? (
        <table className="text-sm">
          <thead>
            <tr className="text-left text-zinc-500">
              <th className="pr-4 font-normal">Server</th>
              <th className="pr-4 font-normal">Status</th>
              <th className="font-normal">Last committed transaction</th>
            </tr>
          </thead>
          <tbody>
            {result.copies.map((c, i) => (
              <tr key={`${c.address ?? '?'}-${i}`} data-testid="restore-copy">
                <td className="pr-4 font-mono">{c.address ?? '—'}</td>
                <td className="pr-4">{c.currentStatus ?? '—'}</td>
                <td className="tabular-nums" data-testid="restore-copy-last-tx">
                  {c.lastCommittedTxn === null ? '—' : formatNumber(c.lastCommittedTxn)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

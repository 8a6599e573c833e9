/**
 * The database page's retention: `<db>-latest` in each folder with backups of the database (the newest
 * restorable backup, the name --from-path takes), the retention policies that cover the database (its own,
 * and its folders' '*' ones; the one applied is marked), and for admins the form that previews and saves one.
 */
import Link from 'next/link';
import { IfCan } from '@/components/auth/permissions';
import { databaseRetention } from '@/lib/dashboard/retention';
import { formatNumber, formatUtc } from '@/lib/format';
import { serverContext } from '@/lib/server/context';
import { RemoveRetentionButton, RetentionForm } from './retention-form';

export async function RetentionSection({ database }: { database: string }) {
  const d = databaseRetention(serverContext(), database);
  return (
    <section aria-labelledby="retention-heading" className="space-y-3" data-testid="retention">
      <h2 id="retention-heading" className="text-lg font-semibold">
        Retention
      </h2>
      <div className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <ul className="space-y-1 text-sm" data-testid="latest-list">
          {d.latest.length === 0 ? <li className="text-zinc-600 dark:text-zinc-400">No backups of {database} yet.</li> : null}
          {d.latest.map((l) => (
            <li key={l.folderId} data-testid="latest" data-folder={l.folderName}>
              <code className="font-mono">{database}-latest</code> in {l.folderName}:{' '}
              {l.artifact ? (
                <>
                  <Link href={`/databases/${encodeURIComponent(database)}?folder=${encodeURIComponent(l.folderName)}&artifact=${l.artifact.id}`} className="font-mono underline" data-testid="latest-file">
                    {l.artifact.file}
                  </Link>{' '}
                  (transaction {formatNumber(l.artifact.tipTx)}, {formatUtc(l.artifact.time)})
                  <div className="text-xs text-zinc-600 dark:text-zinc-400">
                    restore it with <code className="font-mono">--from-path={l.name}</code>
                  </div>
                </>
              ) : (
                <span className="text-red-700 dark:text-red-400">{l.problem}</span>
              )}
            </li>
          ))}
        </ul>
        {d.policies.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="no-retention">
            No retention policy covers {database}: its backups are kept until someone deletes them.
          </p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-zinc-600 dark:text-zinc-400">
              <tr>
                <th className="py-1 pr-3 font-medium">Folder</th>
                <th className="py-1 pr-3 font-medium">Applies to</th>
                <th className="py-1 pr-3 font-medium">Rules</th>
                <th className="py-1 pr-3 font-medium">Set by</th>
                <th className="py-1 pr-3 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.policies.map((p) => (
                <tr key={p.id} data-testid="retention-row" data-folder={p.folderName} data-database={p.database} className="align-top">
                  <td className="py-1 pr-3">{p.folderName}</td>
                  <td className="py-1 pr-3">
                    {p.database === '*' ? 'every database' : <span className="font-mono">{p.database}</span>}
                    {p.applies ? null : <span className="ml-2 rounded bg-zinc-200 px-1.5 py-0.5 text-xs dark:bg-zinc-700">overridden</span>}
                  </td>
                  <td className="py-1 pr-3 font-mono text-xs" data-testid="retention-rules">
                    {p.flags}
                  </td>
                  <td className="py-1 pr-3">
                    {p.createdBy ?? '—'}
                    {p.updatedAt !== null ? <div className="text-xs text-zinc-600 dark:text-zinc-400">{formatUtc(p.updatedAt)}</div> : null}
                  </td>
                  <td className="py-1 pr-3 text-right">
                    <RemoveRetentionButton policyId={p.id} what={`${p.database === '*' ? 'every database' : p.database} in ${p.folderName}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="text-xs text-zinc-600 dark:text-zinc-400">A policy is applied when saved and again after each scheduled backup of the database into its folder.</p>
        <IfCan action="retention.set" fallback={<p className="text-xs text-zinc-500">Setting a retention policy needs the admin role (applying one deletes backups).</p>}>
          <details className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
            <summary className="cursor-pointer text-sm font-medium">Set a retention policy</summary>
            <div className="pt-3">
              <RetentionForm database={database} folders={d.folders} />
            </div>
          </details>
        </IfCan>
      </div>
    </section>
  );
}

'use client';

/**
 * On the point step: find the transaction that did the damage. A match in the grammar of `txline backup log
 * --match` ("deleted:Customer"), optional from and to transactions, and pages of matching transactions of the
 * newest chain, oldest first (GET /api/databases/{name}/transactions). Picking one sets the point to "until that
 * transaction", exclusive: the database ends at the one before it, as everywhere in the wizard.
 *
 * Enter in a search field searches; it never submits the wizard's Next. A page is at most PAGE entries; "Next
 * page" starts where the last one stopped (its nextTx), "Previous page" goes back to where that one started.
 */
import { useQuery } from '@tanstack/react-query';
import { useState, type KeyboardEvent } from 'react';
import { Badge } from '@/components/ui/badge';
import { ErrorHint } from '@/components/ui/error-hint';
import { ApiError, getJson } from '@/components/ui/get-json';
import { UtcTime } from '@/components/ui/utc-time';
import type { TransactionPage } from '@/lib/dashboard/commands/point-search';
import { formatNumber } from '@/lib/format';
import { hintClass, inputClass, labelClass } from './form-controls';
import type { RestoreValues } from './wizard-model';

const PAGE = 20;

type Entry = TransactionPage['entries'][number];
interface Search {
  match: string;
  fromTx: string;
  toTx: string;
  /** where each page after the first started (its previous page's nextTx) */
  pages: number[];
}

const buttonClass =
  'rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-500 disabled:opacity-40 dark:border-zinc-700 dark:hover:bg-zinc-800';

function counts(label: string, c: Entry['created']): string | null {
  if (!c.nodes && !c.relationships) return null;
  const parts = [c.nodes ? `${formatNumber(c.nodes)} node${c.nodes === 1 ? '' : 's'}` : '', c.relationships ? `${formatNumber(c.relationships)} relationship${c.relationships === 1 ? '' : 's'}` : ''];
  return `${label} ${parts.filter(Boolean).join(', ')}`;
}

export function TransactionSearch({ values, update }: { values: RestoreValues; update: (p: Partial<RestoreValues>) => void }) {
  const [draft, setDraft] = useState({ match: '', fromTx: '', toTx: '' });
  const [search, setSearch] = useState<Search | null>(null);
  const where = { cluster: values.clusterId, folder: values.folderId, database: values.database };
  const start = search ? (search.pages.length ? String(search.pages[search.pages.length - 1]) : search.fromTx) : '';

  const q = useQuery({
    queryKey: ['restore', 'transactions', where, search?.match, start, search?.toTx],
    queryFn: async ({ signal }) => {
      const s = search as Search;
      const params = new URLSearchParams({ cluster: where.cluster, folder: where.folder, match: s.match, fromTx: start, toTx: s.toTx, limit: String(PAGE) });
      const body = await getJson<{ page?: TransactionPage }>(`/api/databases/${encodeURIComponent(where.database)}/transactions?${params}`, signal);
      if (!body.page) throw new Error('the server answered without a page of transactions');
      return body.page;
    },
    enabled: search !== null && Boolean(where.database && where.folder && where.cluster),
    staleTime: 30_000,
    retry: false,
  });

  const run = () => setSearch({ match: draft.match.trim(), fromTx: draft.fromTx.replace(/[,\s]/g, ''), toTx: draft.toTx.replace(/[,\s]/g, ''), pages: [] });
  // Enter searches here: the wizard's form would take it as Next
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    run();
  };
  const page = q.data;
  const picked = values.point === 'tx' && /^\d+$/.test(values.tx) ? Number(values.tx) : null;
  const error = q.error;
  const errorCode = error instanceof ApiError ? error.code : null;

  return (
    <section aria-labelledby="restore-search-heading" className="space-y-3 rounded-lg border border-zinc-200 p-3 dark:border-zinc-800" data-testid="transaction-search">
      <div>
        <h3 id="restore-search-heading" className="text-sm font-medium">
          Find the transaction that did the damage
        </h3>
        <p className={hintClass}>Search the transactions of the newest chain, then restore to just before the one you find.</p>
      </div>
      <div className="grid gap-3 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-end">
        <div className="min-w-0">
          <label htmlFor="restore-search-match" className={labelClass}>
            Match
          </label>
          <input
            id="restore-search-match"
            type="search"
            autoComplete="off"
            spellCheck={false}
            placeholder="deleted:Customer"
            value={draft.match}
            maxLength={500}
            aria-describedby="restore-search-match-hint"
            onChange={(e) => setDraft({ ...draft, match: e.target.value })}
            onKeyDown={onKeyDown}
            className={`mt-1 ${inputClass} font-mono`}
          />
        </div>
        <div className="min-w-0">
          <label htmlFor="restore-search-from" className={labelClass}>
            From tx
          </label>
          <input id="restore-search-from" inputMode="numeric" autoComplete="off" placeholder="first" value={draft.fromTx} onChange={(e) => setDraft({ ...draft, fromTx: e.target.value })} onKeyDown={onKeyDown} className={`mt-1 ${inputClass} font-mono`} />
        </div>
        <div className="min-w-0">
          <label htmlFor="restore-search-to" className={labelClass}>
            To tx
          </label>
          <input id="restore-search-to" inputMode="numeric" autoComplete="off" placeholder="last" value={draft.toTx} onChange={(e) => setDraft({ ...draft, toTx: e.target.value })} onKeyDown={onKeyDown} className={`mt-1 ${inputClass} font-mono`} />
        </div>
        <button type="button" onClick={run} disabled={q.isFetching} className={`${buttonClass} h-[38px]`}>
          {q.isFetching ? 'Searching…' : 'Search'}
        </button>
      </div>
      <p id="restore-search-match-hint" className={hintClass}>
        As <code>txline backup log --match</code>: <code>created</code>, <code>changed</code> or <code>deleted</code> (each with an optional <code>:Label</code> or{' '}
        <code>:TYPE</code>), <code>label:NAME</code>, <code>type:NAME</code>, <code>node</code>, <code>relationship</code>, <code>prop:KEY</code> or <code>prop:KEY=VALUE</code>; conditions joined by
        commas hold for one entity. Empty: every transaction. From and to are inclusive.
      </p>

      <div aria-live="polite" aria-busy={q.isFetching} className="space-y-2">
        {error ? (
          <div role="alert" data-testid="transaction-search-error" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            The search failed: {error.message}
            <ErrorHint code={errorCode} className="mt-1" />
          </div>
        ) : null}
        {search && q.isFetching && !page ? <p className="text-sm text-zinc-500 dark:text-zinc-400">Reading the chain…</p> : null}
        {page && search ? (
          <>
            <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="transaction-search-summary">
              {page.listable === null
                ? 'The newest chain holds no transactions after its full backup: there is nothing to list.'
                : `${formatNumber(page.entries.length)} ${page.entries.length === 1 ? 'transaction' : 'transactions'} on this page, of ${formatNumber(page.scanned)} read${
                    page.nextTx !== null ? '; more follow' : ''
                  }. Listable: transactions ${formatNumber(page.listable.fromTx)}..${formatNumber(page.listable.toTx)} (those before are inside the full backup).`}
            </p>
            {page.entries.length === 0 && page.listable !== null ? <p className="text-sm">No transaction matches{search.match ? ` ${search.match}` : ''} in this range.</p> : null}
            <ol aria-label="Matching transactions" className="divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" data-testid="transaction-results">
              {page.entries.map((e) => {
                const what = [counts('created', e.created), counts('changed', e.changed), counts('deleted', e.deleted)].filter(Boolean).join(' · ') || 'no changes';
                const selected = picked === e.txId;
                return (
                  <li key={e.txId} data-testid="transaction-result" data-tx={e.txId} className={`flex flex-wrap items-start justify-between gap-2 p-2 text-sm ${selected ? 'bg-teal-50 dark:bg-teal-950/40' : ''}`}>
                    <div className="min-w-0 flex-1 space-y-1">
                      <p className="flex flex-wrap items-baseline gap-x-2">
                        <span className="font-mono font-semibold">tx {formatNumber(e.txId)}</span>
                        <UtcTime value={e.commitTime} className="text-xs text-zinc-500 dark:text-zinc-400" />
                      </p>
                      <p data-testid="transaction-changes">{what}</p>
                      {e.labels.length || e.types.length ? (
                        <p className="flex flex-wrap gap-1">
                          {e.labels.map((l) => (
                            <Badge key={`l-${l}`} tone="info">
                              :{l}
                            </Badge>
                          ))}
                          {e.types.map((t) => (
                            <Badge key={`t-${t}`}>[:{t}]</Badge>
                          ))}
                        </p>
                      ) : null}
                      {e.beforeImages ? null : <p className={hintClass}>Recorded by an older Txline without before-images: what it deleted is not known.</p>}
                    </div>
                    <button
                      type="button"
                      aria-pressed={selected}
                      aria-label={`Restore to just before transaction ${e.txId}: the database ends at transaction ${e.txId - 1}`}
                      onClick={() => update({ point: 'tx', tx: String(e.txId) })}
                      className={`${buttonClass} shrink-0 ${selected ? 'border-teal-600 text-teal-800 dark:text-teal-300' : ''}`}
                    >
                      {selected ? 'Chosen: just before it' : 'Restore to just before'}
                    </button>
                  </li>
                );
              })}
            </ol>
            {search.pages.length > 0 || page.nextTx !== null ? (
              <div className="flex flex-wrap gap-2">
                <button type="button" className={buttonClass} disabled={search.pages.length === 0 || q.isFetching} onClick={() => setSearch({ ...search, pages: search.pages.slice(0, -1) })}>
                  Previous page
                </button>
                <button type="button" className={buttonClass} disabled={page.nextTx === null || q.isFetching} onClick={() => page.nextTx !== null && setSearch({ ...search, pages: [...search.pages, page.nextTx] })}>
                  Next page
                </button>
              </div>
            ) : null}
          </>
        ) : null}
      </div>
    </section>
  );
}

'use client';

/**
 * On the point step, once a transaction ID or a time passes the check: what the database would hold there,
 * beside the newest point (GET /api/databases/{name}/preview, `txline backup preview`): one sentence per label
 * or type whose count differs ("at tx 128: 40 :Customer nodes more than now"), and the counts as a table.
 * A preview rebuilds two stores, so it runs only for a point the plan accepted, and is kept per point.
 */
import { useQuery } from '@tanstack/react-query';
import { ErrorHint } from '@/components/ui/error-hint';
import { ApiError, getJson } from '@/components/ui/get-json';
import type { PointPreview as Preview } from '@/lib/dashboard/commands/point-search';
import { formatNumber } from '@/lib/format';
import type { RestoreValues } from './wizard-model';

const ROWS = 40;

const signed = (n: number) => (n > 0 ? `+${formatNumber(n)}` : n < 0 ? `−${formatNumber(-n)}` : '0');

export function PointPreview({ values, ready }: { values: RestoreValues; ready: boolean }) {
  const point: Record<string, string> | null = values.point === 'tx' ? { point: 'tx', tx: values.tx } : values.point === 'time' ? { point: 'time', time: values.time } : null;
  const where = { cluster: values.clusterId, folder: values.folderId, database: values.database };
  const q = useQuery({
    queryKey: ['restore', 'point-preview', where, point],
    queryFn: async ({ signal }) => {
      const params = new URLSearchParams({ cluster: where.cluster, folder: where.folder, ...point });
      const body = await getJson<{ preview?: Preview }>(`/api/databases/${encodeURIComponent(where.database)}/preview?${params}`, signal);
      if (!body.preview) throw new Error('the server answered without a preview');
      return body.preview;
    },
    enabled: ready && point !== null,
    staleTime: 60_000,
    retry: false,
  });
  if (point === null) {
    return <p className="text-sm text-zinc-500 dark:text-zinc-400">Choose a transaction ID or a time (or pick a transaction found above) to compare it with the newest point.</p>;
  }
  if (!ready) return <p className="text-sm text-zinc-500 dark:text-zinc-400">The comparison shows once the plan above accepts this point.</p>;
  if (q.error) {
    return (
      <div role="alert" data-testid="point-preview-error" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
        The preview failed: {q.error.message}
        <ErrorHint code={q.error instanceof ApiError ? q.error.code : null} className="mt-1" />
      </div>
    );
  }
  const p = q.data;
  if (!p) return <p className="text-sm text-zinc-500 dark:text-zinc-400" aria-busy="true">Counting the graph at this point and at the newest one…</p>;
  const rows = [
    ...p.labels.map((d) => ({ ...d, key: `l:${d.name}`, name: `:${d.name}` })),
    ...p.types.map((d) => ({ ...d, key: `t:${d.name}`, name: `[:${d.name}]` })),
  ].sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || a.name.localeCompare(b.name));
  return (
    <div data-testid="point-preview" data-at-tx={p.at.txId} className="space-y-2 rounded-lg border border-zinc-200 bg-zinc-50 p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900/60">
      <ul className="space-y-1" data-testid="point-preview-sentences">
        {p.sentences.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm tabular-nums">
          <caption className="sr-only">Counts at transaction {p.at.txId} and at the newest point, transaction {p.newest.txId}</caption>
          <thead className="text-xs text-zinc-500 dark:text-zinc-400">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                Label or type
              </th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">
                At tx {formatNumber(p.at.txId)}
              </th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">
                Now (tx {formatNumber(p.newest.txId)})
              </th>
              <th scope="col" className="py-1 text-right font-medium">
                Difference
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row" className="py-0.5 pr-3 font-normal">
                all nodes
              </th>
              <td className="py-0.5 pr-3 text-right">{formatNumber(p.at.nodes)}</td>
              <td className="py-0.5 pr-3 text-right">{formatNumber(p.newest.nodes)}</td>
              <td className="py-0.5 text-right">{signed(p.at.nodes - p.newest.nodes)}</td>
            </tr>
            <tr>
              <th scope="row" className="py-0.5 pr-3 font-normal">
                all relationships
              </th>
              <td className="py-0.5 pr-3 text-right">{formatNumber(p.at.relationships)}</td>
              <td className="py-0.5 pr-3 text-right">{formatNumber(p.newest.relationships)}</td>
              <td className="py-0.5 text-right">{signed(p.at.relationships - p.newest.relationships)}</td>
            </tr>
            {rows.slice(0, ROWS).map((r) => (
              <tr key={r.key} data-testid="point-preview-row" data-name={r.name} data-difference={r.difference}>
                <th scope="row" className="break-all py-0.5 pr-3 font-mono text-xs font-normal">
                  {r.name}
                </th>
                <td className="py-0.5 pr-3 text-right">{formatNumber(r.at)}</td>
                <td className="py-0.5 pr-3 text-right">{formatNumber(r.newest)}</td>
                <td className={`py-0.5 text-right ${r.difference !== 0 ? 'font-semibold' : ''}`}>{signed(r.difference)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > ROWS ? <p className="text-xs text-zinc-500 dark:text-zinc-400">and {formatNumber(rows.length - ROWS)} more labels and types with smaller differences.</p> : null}
    </div>
  );
}

'use client';

/** The cluster page's choices: which cluster (when there are several), which database, which time window. */
import { useId } from 'react';
import { LAG_WINDOWS, WINDOW_KEYS } from '@/components/charts/chart-utils';
import { withNote } from '@/lib/format';
import type { ClusterSelection } from './cluster-selection';
import type { ClusterEntry } from './clusters-query';

const SELECT =
  'rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 dark:border-zinc-600 dark:bg-zinc-900';

export function ClusterToolbar({
  clusters,
  databases,
  selection,
  onChange,
}: {
  clusters: ClusterEntry[];
  databases: string[];
  selection: ClusterSelection;
  onChange: (next: Partial<ClusterSelection>) => void;
}) {
  const clusterId = useId();
  const databaseId = useId();
  return (
    <div className="flex flex-wrap items-end gap-4">
      {clusters.length > 1 ? (
        <div className="flex flex-col gap-1">
          <label htmlFor={clusterId} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Cluster
          </label>
          <select id={clusterId} className={SELECT} value={selection.clusterId} onChange={(e) => onChange({ clusterId: Number(e.target.value) })}>
            {clusters.map((c) => (
              <option key={c.id} value={c.id}>
                {withNote(c.name, c.kind)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="flex flex-col gap-1">
        <label htmlFor={databaseId} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Database
        </label>
        <select id={databaseId} className={SELECT} value={selection.database} onChange={(e) => onChange({ database: e.target.value })}>
          {databases.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="flex flex-col gap-1">
        <legend className="mb-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">Window</legend>
        <div className="inline-flex overflow-hidden rounded-md border border-zinc-300 dark:border-zinc-600">
          {WINDOW_KEYS.map((w) => {
            const active = w === selection.window;
            return (
              <button
                key={w}
                type="button"
                aria-pressed={active}
                onClick={() => onChange({ window: w })}
                className={`border-l border-zinc-300 px-3 py-1.5 text-sm first:border-l-0 focus-visible:relative focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-teal-600 dark:border-zinc-600 ${
                  active ? 'bg-zinc-900 font-medium text-white dark:bg-zinc-100 dark:text-zinc-900' : 'bg-white hover:bg-zinc-100 dark:bg-zinc-900 dark:hover:bg-zinc-800'
                }`}
              >
                {LAG_WINDOWS[w].label}
              </button>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

/**
 * The registered clusters: kind, member addresses, how many members answered the collector's last round, and
 * for a remote one whether it has a token ("token set" / "no token": the token itself never reaches the page).
 * The embedded cluster is Txline's own and stays; a remote one can be removed, and its token set or replaced.
 */
import { clusterOrigin } from '@/components/cluster/clusters-query';
import { Badge } from '@/components/ui/badge';
import { UtcTime } from '@/components/ui/utc-time';
import type { ClusterSettingsItem } from '@/lib/dashboard/settings';
import { formatNumber } from '@/lib/format';
import { ClusterTokenForm } from './cluster-token-form';
import { RemoveButton } from './remove-button';

export type ClusterItem = ClusterSettingsItem;

export function ClusterList({ clusters }: { clusters: ClusterItem[] }) {
  if (clusters.length === 0) {
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">No cluster is registered. Add one below by its member addresses.</p>;
  }
  return (
    <ul aria-label="Clusters" className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
      {clusters.map((c) => (
        <li key={c.id} data-testid="cluster-item" data-name={c.name} className="flex flex-wrap items-start justify-between gap-4 px-4 py-3">
          <div className="min-w-0 space-y-1">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-semibold">{c.name}</span>
              <Badge tone={c.startedHere ? 'info' : 'neutral'}>{clusterOrigin(c)}</Badge>
              <span title="The protocol Txline speaks to its members" data-testid="cluster-kind">
                <Badge tone="neutral">{c.kindLabel}</Badge>
              </span>
              {!c.startedHere ? (
                <span data-testid="cluster-token">
                  <Badge tone="neutral">{c.hasToken ? 'token set' : 'no token'}</Badge>
                </span>
              ) : null}
              {c.reachable ? (
                <Badge tone={c.reachable.up === c.reachable.of && c.reachable.of > 0 ? 'good' : c.reachable.up === 0 ? 'bad' : 'warn'}>
                  {formatNumber(c.reachable.up)} of {formatNumber(c.reachable.of)} members reachable
                </Badge>
              ) : null}
            </div>
            <div className="font-mono text-xs text-zinc-600 dark:text-zinc-400" data-testid="cluster-addresses">
              {c.addresses.length > 0 ? c.addresses.join(', ') : 'no members yet'}
            </div>
            <div className="text-xs text-zinc-500 dark:text-zinc-400">
              {c.startedHere && c.controlAddress ? <>control API {c.controlAddress} · </> : null}
              registered <UtcTime value={c.createdAt} />
            </div>
            {!c.startedHere ? <ClusterTokenForm clusterId={c.id} name={c.name} hasToken={c.hasToken} /> : null}
          </div>
          {c.startedHere ? (
            <p className="text-xs text-zinc-500 dark:text-zinc-400">Txline&apos;s own cluster: it cannot be removed.</p>
          ) : (
            <RemoveButton target={{ kind: 'cluster', id: c.id, name: c.name }}>
              <p>
                Txline stops watching {c.addresses.join(', ')}. The cluster itself and the backups taken from it are not
                touched.
              </p>
            </RemoveButton>
          )}
        </li>
      ))}
    </ul>
  );
}

import Link from 'next/link';
import type { ReactNode } from 'react';
import type { ClusterReport } from '@/lib/monitor/cluster-report';

function Code({ children }: { children: ReactNode }) {
  return <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[0.85em] dark:bg-zinc-800">{children}</code>;
}

/** The catalog lists no cluster at all (the overview and the cluster page): where to add one. */
export function NoClusterRegistered() {
  return (
    <div data-testid="no-clusters" className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 text-sm dark:border-zinc-700 dark:bg-zinc-900">
      <p className="font-semibold">No cluster is registered.</p>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">
        Add one by its member addresses in{' '}
        <Link href="/settings" className="font-medium text-teal-700 underline dark:text-teal-400">
          Settings
        </Link>
        , or start the embedded cluster with <Code>npm start</Code>.
      </p>
    </div>
  );
}

/** No members to show: say where Txline looked and what to do. */
export function ClusterEmptyState({ report }: { report: ClusterReport }) {
  const where =
    report.source.kind === 'addresses'
      ? `TXLINE_CLUSTER_ADDRESSES (${report.source.addresses.join(', ')})`
      : report.source.clusterFile;
  return (
    <div
      data-testid="cluster-empty"
      className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 dark:border-zinc-700 dark:bg-zinc-900"
    >
      <h3 className="text-base font-semibold">No cluster found</h3>
      {report.problem ? <p className="mt-2 text-sm text-red-700 dark:text-red-400">{report.problem}</p> : null}
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        Txline looked for the embedded cluster&apos;s members in <Code>{where}</Code>. To see a cluster here:
      </p>
      <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-zinc-600 dark:text-zinc-400">
        <li>
          run <Code>npm start</Code>: it starts the embedded cluster, a gentle workload and this dashboard;
        </li>
        <li>
          or start the embedded cluster on its own with <Code>npx txline cluster start</Code> (same data folder);
        </li>
        <li>
          or watch another cluster: set <Code>TXLINE_CLUSTER_ADDRESSES=host:port,host:port</Code> and restart the
          dashboard.
        </li>
      </ul>
    </div>
  );
}

/** The embedded cluster's file is there but no member answers: the cluster is not running. */
export function ClusterNotRunning({ clusterFile }: { clusterFile: string }) {
  return (
    <div
      role="alert"
      className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
    >
      No member of the embedded cluster answers (its last state is in <Code>{clusterFile}</Code>). Start it with{' '}
      <Code>npm start</Code> or <Code>npx txline cluster start</Code>.
    </div>
  );
}

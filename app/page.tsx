import type { Metadata } from 'next';
import { Suspense } from 'react';
import { connection } from 'next/server';
import { ClusterMembers } from '@/components/cluster/cluster-members';
import { MembersTableSkeleton } from '@/components/cluster/members-table-skeleton';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  // Live data: render at request time, never at build time.
  await connection();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          The cluster&apos;s members and, per database, who writes, how far each member has got, and how far behind it is.
        </p>
      </div>
      <section aria-labelledby="members-heading" className="space-y-3">
        <h2 id="members-heading" className="text-lg font-semibold">
          Cluster members
        </h2>
        <Suspense fallback={<MembersTableSkeleton />}>
          <ClusterMembers />
        </Suspense>
      </section>
    </div>
  );
}

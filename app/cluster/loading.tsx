import { ClusterDashboardSkeleton } from '@/components/cluster/cluster-dashboard-skeleton';

export default function ClusterLoading() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Cluster</h1>
      </div>
      <ClusterDashboardSkeleton />
    </div>
  );
}

import { JobsSkeleton } from '@/components/jobs/jobs-skeleton';

export default function JobsLoading() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Jobs</h1>
      <JobsSkeleton />
    </div>
  );
}

/** Placeholder of the jobs table (and a job's page) while the first data loads. */
export function JobsSkeleton({ label = 'Loading jobs', rows = 6 }: { label?: string; rows?: number }) {
  return (
    <div aria-busy="true" aria-label={label} className="space-y-3">
      <div className="h-4 w-56 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        {Array.from({ length: rows }, (_, i) => (
          <div key={i} className="my-3 h-6 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
        ))}
      </div>
    </div>
  );
}

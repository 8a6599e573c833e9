/** Placeholder of the members table while the first report loads. */
export function MembersTableSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading cluster members" className="space-y-3">
      <div className="h-4 w-72 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="my-3 h-5 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
        ))}
      </div>
    </div>
  );
}

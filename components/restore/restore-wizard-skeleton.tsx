/** Placeholder of the restore wizard while its choices load. */
export function RestoreWizardSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the restore wizard" className="space-y-5">
      <div className="flex gap-3">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="h-6 w-24 animate-pulse rounded-full bg-zinc-200 dark:bg-zinc-800" />
        ))}
      </div>
      <div className="space-y-4 rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
        <div className="h-5 w-48 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="grid gap-4 sm:grid-cols-2">
          <div className="h-10 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
          <div className="h-10 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
        </div>
        <div className="h-10 w-32 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
      </div>
    </div>
  );
}

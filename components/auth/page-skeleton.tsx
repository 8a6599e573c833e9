/** Placeholder of the account, users and audit pages while they load: a form's fields and a table's rows. */
export function FormTableSkeleton({ label, fields = 3, rows = 6 }: { label: string; fields?: number; rows?: number }) {
  return (
    <div aria-busy="true" aria-label={label} className="space-y-5" data-testid="page-skeleton">
      <div className="h-4 w-96 max-w-full animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      {fields > 0 ? (
        <div className="flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          {Array.from({ length: fields }, (_, i) => (
            <div key={i} className="space-y-1.5">
              <div className="h-3 w-24 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
              <div className="h-8 w-44 animate-pulse rounded-md bg-zinc-100 dark:bg-zinc-800" />
            </div>
          ))}
          <div className="h-8 w-24 animate-pulse rounded-md bg-zinc-200 dark:bg-zinc-700" />
        </div>
      ) : null}
      {rows > 0 ? (
        <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          {Array.from({ length: rows }, (_, i) => (
            <div key={i} className="my-3 h-6 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
          ))}
        </div>
      ) : null}
    </div>
  );
}

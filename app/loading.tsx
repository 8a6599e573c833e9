import { MembersTableSkeleton } from '@/components/cluster/members-table-skeleton';
import { DatabaseCardsSkeleton } from '@/components/overview/overview-databases';

/**
 * While a page without a skeleton of its own loads (the overview first of all): the overview's shape, a
 * title, the members table and the database cards, so the layout does not jump when the page arrives.
 */
export default function Loading() {
  return (
    <div className="space-y-8" aria-busy="true" aria-label="Loading the page" data-testid="page-skeleton">
      <div className="space-y-2">
        <div className="h-7 w-48 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-4 w-96 max-w-full animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
      </div>
      <section className="space-y-3">
        <div className="h-5 w-56 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
        <MembersTableSkeleton />
      </section>
      <section className="space-y-3">
        <div className="h-5 w-56 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
        <DatabaseCardsSkeleton />
      </section>
    </div>
  );
}

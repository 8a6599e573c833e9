import { BlockSkeleton } from '@/components/databases/database-sections';

/** While a database's page is being prepared (navigation between databases, a new folder or limit). */
export default function Loading() {
  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <div className="h-4 w-40 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-8 w-56 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
        <BlockSkeleton label="Loading the summary" rows={2} />
      </div>
      <BlockSkeleton label="Loading the timeline" rows={1} tall />
      <BlockSkeleton label="Loading the actions" rows={4} />
    </div>
  );
}

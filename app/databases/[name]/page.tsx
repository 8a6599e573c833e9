import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { ActionsSection, BlockSkeleton, DatabaseSummary, JobsSection, MAX_LIMIT, TimelineSection } from '@/components/databases/database-sections';
import { isValidDatabaseName, normalizeDatabaseName } from '@/lib/cluster/names';
import { databasePageData } from '@/lib/dashboard/data';
import { requireCaller } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

type Props = { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

const DEFAULT_LIMIT = 400;

export default async function DatabasePage({ params, searchParams }: Props) {
  await connection();
  const [{ name: raw }, sp] = await Promise.all([params, searchParams]);
  await requireCaller(`/databases/${encodeURIComponent(raw)}`);
  if (!isValidDatabaseName(raw)) notFound();
  const database = normalizeDatabaseName(raw);
  const folder = typeof sp.folder === 'string' ? sp.folder : null;
  const asked = Number(sp.limit);
  const limit = Number.isInteger(asked) && asked > 0 ? Math.min(MAX_LIMIT, asked) : DEFAULT_LIMIT;
  // One read of the catalog and the cluster for the whole page; each widget awaits it inside its own boundary.
  const data = databasePageData(serverContext(), database, folder, { limit });

  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-600 dark:text-zinc-400">
          <Link href="/databases" className="hover:underline">
            Databases
          </Link>{' '}
          / <span aria-current="page">{database}</span>
        </nav>
        <h1 className="text-2xl font-semibold tracking-tight">{database}</h1>
        <Suspense fallback={<BlockSkeleton label="Loading the summary" rows={2} />}>
          <DatabaseSummary data={data} />
        </Suspense>
      </div>

      <section aria-labelledby="timeline-heading" className="space-y-3">
        <h2 id="timeline-heading" className="text-lg font-semibold">
          Backup chains
        </h2>
        <Suspense fallback={<BlockSkeleton label="Loading the timeline" rows={1} tall />}>
          <TimelineSection data={data} limit={limit} folderParam={folder} />
        </Suspense>
      </section>

      <section aria-labelledby="actions-heading" className="space-y-3">
        <h2 id="actions-heading" className="text-lg font-semibold">
          Actions
        </h2>
        <Suspense fallback={<BlockSkeleton label="Loading the actions" rows={4} />}>
          <ActionsSection data={data} />
        </Suspense>
      </section>

      <section aria-labelledby="jobs-heading" className="space-y-3">
        <h2 id="jobs-heading" className="text-lg font-semibold">
          Recent jobs
        </h2>
        <Suspense fallback={<BlockSkeleton label="Loading the jobs" rows={3} />}>
          <JobsSection data={data} />
        </Suspense>
      </section>
    </div>
  );
}

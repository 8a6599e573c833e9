import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { JobDetail } from '@/components/jobs/job-detail';
import { JobsSkeleton } from '@/components/jobs/jobs-skeleton';
import { getJob } from '@/lib/db/queries/jobs';
import { pagePermissions } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Job #${id}` };
}

export default async function JobPage({ params }: { params: Params }) {
  await connection();
  const { id } = await params;
  const { can } = await pagePermissions(`/jobs/${encodeURIComponent(id)}`);
  if (!/^\d{1,12}$/.test(id)) notFound();
  const job = getJob(serverContext().db, { id: Number(id) });
  if (!job) notFound();
  const kind = job.kind === 'verify' ? 'Verification' : job.kind.charAt(0).toUpperCase() + job.kind.slice(1);
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-600 dark:text-zinc-400">
        <Link href="/jobs" className="text-teal-700 underline-offset-2 hover:underline dark:text-teal-400">
          Jobs
        </Link>{' '}
        / #{job.id}
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight">
        Job #{job.id}: {kind} of {job.database}
      </h1>
      <Suspense fallback={<JobsSkeleton label="Loading the job" />}>
        {/* eslint-disable-next-line react-hooks/purity -- a server component renders once per request: the time the page was read */}
        <JobDetail initialJob={job} renderedAt={Date.now()} canCancel={can['job.cancel']} />
      </Suspense>
    </div>
  );
}

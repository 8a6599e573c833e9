import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { ActionsSection, BlockSkeleton, DatabaseSummary, JobsSection } from '@/components/databases/database-sections';
import { TimelineSection } from '@/components/databases/timeline-section';
import { DrillsSection } from '@/components/drills/drills-section';
import { SchedulesSection } from '@/components/schedules/schedules-section';
import { RetentionSection } from '@/components/retention/retention-section';
import { isValidDatabaseName, normalizeDatabaseName } from '@/lib/graph/names';
import { databasePageData } from '@/lib/dashboard/data';
import { parseTarget, type WindowTarget } from '@/lib/dashboard/timeline-window';
import { requireCaller } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

type Props = { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

/** artifacts a window of the timeline holds: the default, and the most a link may ask for */
const DEFAULT_SIZE = 400;
const MAX_SIZE = 2000;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function positiveInt(v: string | undefined): number | null {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export default async function DatabasePage({ params, searchParams }: Props) {
  await connection();
  const [{ name: raw }, sp] = await Promise.all([params, searchParams]);
  await requireCaller(`/databases/${encodeURIComponent(raw)}`);
  if (!isValidDatabaseName(raw)) notFound();
  const database = normalizeDatabaseName(raw);
  const folder = one(sp.folder) ?? null;
  // The timeline's window: its size (?size=, or the older ?limit=), where it starts (?from=), or what it
  // must hold: one backup (?artifact=, opened) or what "Go to" was given (?go=: a transaction, a time, a file).
  const asked = positiveInt(one(sp.size) ?? one(sp.limit));
  const size = asked !== null && asked > 0 ? Math.min(MAX_SIZE, asked) : DEFAULT_SIZE;
  const start = positiveInt(one(sp.from));
  const artifact = positiveInt(one(sp.artifact));
  const goText = one(sp.go)?.trim() || null;
  const target: WindowTarget | null = artifact !== null ? { kind: 'artifact', id: artifact } : goText ? parseTarget(goText) : null;
  const clusterId = positiveInt(one(sp.cluster));
  // One read of the catalog and the cluster for the whole page; each widget awaits it inside its own boundary.
  const data = databasePageData(serverContext(), database, folder, { size, start, target, clusterId });
  const queryOf = (changes: Record<string, string | number | null>) => {
    const q = new URLSearchParams();
    const base: Record<string, string | number | null> = { folder, cluster: clusterId, size: asked !== null ? size : null, from: start, artifact, go: goText };
    for (const [k, v] of Object.entries({ ...base, ...changes })) if (v !== null && v !== undefined) q.set(k, String(v));
    const str = q.toString();
    return str ? `?${str}` : '?';
  };
  const goProblem = goText && !target ? goText : null;

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
          {goProblem ? (
            <p role="alert" data-testid="timeline-go-problem" className="mb-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
              “{goProblem}” is neither a transaction ID, a UTC time (YYYY-MM-DD HH:MM:SS) nor a backup&apos;s file name.
            </p>
          ) : null}
          <TimelineSection data={data} queryOf={queryOf} goText={goText} />
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

      <Suspense fallback={<BlockSkeleton label="Loading the schedules" rows={2} />}>
        <SchedulesSection database={database} />
      </Suspense>

      <Suspense fallback={<BlockSkeleton label="Loading the retention" rows={2} />}>
        <RetentionSection database={database} />
      </Suspense>
      <section aria-labelledby="drills-heading" className="space-y-3">
        <h2 id="drills-heading" className="text-lg font-semibold">
          Restore drills
        </h2>
        <Suspense fallback={<BlockSkeleton label="Loading the drills" rows={3} tall />}>
          <DrillsSection data={data} />
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

/**
 * Jobs as the browser polls them: GET /api/jobs?database= (a database's recent jobs) and GET /api/jobs/{id}
 * (one job). Keys start with 'jobs' so that anything starting a job can invalidate them all at once.
 */
import { queryOptions } from '@tanstack/react-query';
import type { JobRow } from '@/lib/db/schema';

/** A job without its log (what the list answers). */
export type JobSummary = Omit<JobRow, 'log'>;

export const JOB_POLL_MS = 1000;
/** While nothing runs, a database's job list is still checked now and then (a job started elsewhere). */
export const IDLE_POLL_MS = 10_000;

export const jobKeys = {
  all: ['jobs'] as const,
  list: (database: string) => ['jobs', 'list', { database }] as const,
  detail: (id: number) => ['jobs', 'detail', id] as const,
};

export function jobHref(id: number): string {
  return `/jobs/${id}`;
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `the server answered ${res.status} ${res.statusText}`);
  }
  return (await res.json()) as T;
}

export function databaseJobsQuery(database: string, limit = 10) {
  return queryOptions({
    queryKey: jobKeys.list(database),
    queryFn: async ({ signal }) => (await getJson<{ jobs: JobSummary[] }>(`/api/jobs?database=${encodeURIComponent(database)}&limit=${limit}`, signal)).jobs,
    refetchInterval: (q) => ((q.state.data ?? []).some((j) => j.status === 'running') ? JOB_POLL_MS : IDLE_POLL_MS),
    retry: false,
  });
}

export function jobQuery(id: number) {
  return queryOptions({
    queryKey: jobKeys.detail(id),
    queryFn: ({ signal }) => getJson<JobRow>(`/api/jobs/${id}`, signal),
    refetchInterval: (q) => (q.state.data && q.state.data.status !== 'running' ? false : JOB_POLL_MS),
    retry: false,
  });
}

/** What a finished backup wrote (its result's first artifact), if it says. */
export function backupOutcome(job: Pick<JobRow, 'kind' | 'result'>): { artifact: string | null; type: string | null; fallbackReason: string | null } | null {
  if (job.kind !== 'backup' || !job.result || !Array.isArray(job.result.results)) return null;
  const r = (job.result.results as Array<Record<string, unknown>>)[0];
  if (!r) return null;
  return {
    artifact: typeof r.artifact === 'string' ? r.artifact : null,
    type: typeof r.type === 'string' ? r.type : null,
    fallbackReason: typeof r.fallbackReason === 'string' ? r.fallbackReason : null,
  };
}

/**
 * The job queries: GET /api/jobs (the list, without logs) and GET /api/jobs/{id} (one job with its log).
 * Both poll about once a second while a job runs and slow down when nothing does. Keys start with 'jobs' so
 * that anything starting or cancelling a job can invalidate them all at once.
 */
import { queryOptions } from '@tanstack/react-query';
import type { JobRow, JobStatus } from '@/lib/db/schema';

export const JOB_POLL_MS = 1000;
const IDLE_POLL_MS = 10_000;

/** A job as the list answers it (the log left out). */
export type JobSummary = Omit<JobRow, 'log'>;

/** Jobs per page of the jobs list. */
export const JOBS_PAGE_SIZE = 50;

export interface JobFilters {
  database?: string;
  status?: JobStatus;
  limit?: number;
  /** a page of older jobs: those before this job ID */
  before?: number;
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `the server answered ${res.status} ${res.statusText}`);
  }
  return (await res.json()) as T;
}

export function jobsUrl(filters: JobFilters): string {
  const q = new URLSearchParams();
  if (filters.database) q.set('database', filters.database);
  if (filters.status) q.set('status', filters.status);
  if (filters.limit) q.set('limit', String(filters.limit));
  if (filters.before) q.set('before', String(filters.before));
  const s = q.toString();
  return s ? `/api/jobs?${s}` : '/api/jobs';
}

export const jobKeys = {
  all: ['jobs'] as const,
  list: (filters: JobFilters) => ['jobs', 'list', filters.database ?? '', filters.status ?? '', filters.limit ?? 100, filters.before ?? 0] as const,
  detail: (id: number) => ['jobs', 'detail', id] as const,
};

export function jobsQuery(filters: JobFilters) {
  return queryOptions({
    queryKey: jobKeys.list(filters),
    queryFn: ({ signal }) => getJson<{ jobs: JobSummary[] }>(jobsUrl(filters), signal).then((b) => b.jobs),
    refetchInterval: (q) => (q.state.data?.some((j) => j.status === 'running') ? JOB_POLL_MS : IDLE_POLL_MS),
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

/**
 * The job queries, the one key factory for jobs: GET /api/jobs (a list, without logs: every job, or filtered
 * by database and status, a page at a time) and GET /api/jobs/{id} (one job with its log). Every page that
 * shows jobs (the jobs list, a job's page, a database's recent jobs, a job just started, the restore wizard)
 * reads them through these, so a job list has one key shape whatever page asks, and invalidating
 * `jobKeys.all` after starting or cancelling a job reaches them all. Lists poll about once a second while a
 * job in them runs and every ten seconds otherwise (to notice a job started elsewhere); one job polls until it
 * has ended.
 */
import { queryOptions } from '@tanstack/react-query';
import { getJson } from '@/components/ui/get-json';
import type { JobRow, JobStatus } from '@/lib/db/schema';

export const JOB_POLL_MS = 1000;
const IDLE_POLL_MS = 10_000;

/** A job as the list answers it (the log left out). */
/** A job as the lists show it (GET /api/jobs): the row without its log, and `settled` (see JobDetail). */
export type JobSummary = Omit<JobRow, 'log'> & { settled?: boolean };

/** Jobs per page of the jobs list. */
export const JOBS_PAGE_SIZE = 50;

/** Jobs in a database's recent jobs. */
export const RECENT_JOBS = 10;

export interface JobFilters {
  database?: string;
  status?: JobStatus;
  limit?: number;
  /** a page of older jobs: those before this job ID */
  before?: number;
  /** with `database`: also the restores made from it (filed under their targets) */
  withRestoresFrom?: boolean;
}

/** The filters that say something, in one order: what the list's URL and its key are made of. */
function listParams(filters: JobFilters): JobFilters {
  const p: JobFilters = {};
  if (filters.database) p.database = filters.database;
  if (filters.status) p.status = filters.status;
  if (filters.limit) p.limit = filters.limit;
  if (filters.before) p.before = filters.before;
  if (filters.database && filters.withRestoresFrom) p.withRestoresFrom = true;
  return p;
}

export const jobKeys = {
  all: ['jobs'] as const,
  list: (filters: JobFilters) => ['jobs', 'list', listParams(filters)] as const,
  detail: (id: number) => ['jobs', 'detail', id] as const,
};

export function jobsUrl(filters: JobFilters): string {
  const s = new URLSearchParams(Object.entries(listParams(filters)).map(([k, v]) => [k, k === 'withRestoresFrom' ? '1' : String(v)])).toString();
  return s ? `/api/jobs?${s}` : '/api/jobs';
}

export function jobHref(id: number): string {
  return `/jobs/${id}`;
}

export function jobsQuery(filters: JobFilters) {
  return queryOptions({
    queryKey: jobKeys.list(filters),
    queryFn: ({ signal }) => getJson<{ jobs: JobSummary[] }>(jobsUrl(filters), signal).then((b) => b.jobs),
    refetchInterval: (q) => (q.state.data?.some((j) => !jobDone(j)) ? JOB_POLL_MS : IDLE_POLL_MS),
    retry: false,
  });
}

/**
 * One job as GET /api/jobs/{id} answers: the row, and `settled`: false while the server still applies what
 * follows the job's end (indexing its folder). A job is done for a page once it is not running and settled.
 */
export type JobDetail = JobRow & { settled?: boolean };

export function jobDone(job: Pick<JobDetail, 'status' | 'settled'>): boolean {
  return job.status !== 'running' && job.settled !== false;
}

export function jobQuery(id: number) {
  return queryOptions({
    queryKey: jobKeys.detail(id),
    queryFn: ({ signal }) => getJson<JobDetail>(`/api/jobs/${id}`, signal),
    refetchInterval: (q) => (q.state.data && jobDone(q.state.data) ? false : JOB_POLL_MS),
    retry: false,
  });
}

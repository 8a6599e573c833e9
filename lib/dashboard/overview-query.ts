/**
 * The overview's query (search, cluster and trouble filters, page), as it lives in the page's URL
 * (`?q=&cluster=&trouble=&page=&size=`) and in the poll's (GET /api/overview): parsed leniently (what is missing or
 * not understood is its default, never an error: a link must always open) and written back with the defaults
 * left out. Pure; safe on server and client.
 */
import { z } from 'zod';

export const OVERVIEW_PAGE_SIZE = 50;
export const TROUBLE_KINDS = ['alerts', 'no-backups', 'broken', 'unverified'] as const;
export type TroubleKind = (typeof TROUBLE_KINDS)[number];

export interface OverviewQuery {
  /** a part of the database's name, any case ('' : every database) */
  q: string;
  /** a registered cluster's ID, 'backups' (only in backups), or null: every cluster */
  cluster: number | 'backups' | null;
  /** one kind of trouble, 'any', or null: in trouble or not */
  trouble: TroubleKind | 'any' | null;
  /** 1-based */
  page: number;
  /** databases per page (1..100) */
  size: number;
}

export const DEFAULT_QUERY: OverviewQuery = { q: '', cluster: null, trouble: null, page: 1, size: OVERVIEW_PAGE_SIZE };

const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const schema = z.object({
  q: z.preprocess(one, z.string().max(200).transform((s) => s.trim().slice(0, 100))).catch(''),
  cluster: z.preprocess(one, z.union([z.literal('backups'), z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)]).nullable()).catch(null),
  trouble: z.preprocess(one, z.enum(['any', ...TROUBLE_KINDS]).nullable()).catch(null),
  page: z.preprocess(one, z.coerce.number().int().min(1).max(1_000_000)).catch(1),
  size: z.preprocess(one, z.coerce.number().int().min(1).max(100)).catch(OVERVIEW_PAGE_SIZE),
});

/** The query from a URL's search parameters; what is missing or not understood is its default (never an error). */
export function parseOverviewQuery(params: URLSearchParams | Record<string, string | string[] | undefined>): OverviewQuery {
  const get = (k: string) => (params instanceof URLSearchParams ? (params.get(k) ?? undefined) : params[k]);
  const r = schema.parse({ q: get('q') ?? '', cluster: get('cluster') || null, trouble: get('trouble') || null, page: get('page') ?? 1, size: get('size') ?? OVERVIEW_PAGE_SIZE });
  return { q: r.q, cluster: r.cluster, trouble: r.trouble, page: r.page, size: r.size };
}

/** The query as URL search parameters (defaults left out), `folder` first when given. */
export function overviewSearchParams(q: OverviewQuery, folder: string | null = null): URLSearchParams {
  const p = new URLSearchParams();
  if (folder) p.set('folder', folder);
  if (q.q) p.set('q', q.q);
  if (q.cluster !== null) p.set('cluster', String(q.cluster));
  if (q.trouble) p.set('trouble', q.trouble);
  if (q.page > 1) p.set('page', String(q.page));
  if (q.size !== OVERVIEW_PAGE_SIZE) p.set('size', String(q.size));
  return p;
}

/** The labels of the trouble filter, for people. */
export const TROUBLE_LABELS: Record<TroubleKind | 'any', string> = {
  any: 'In trouble (any)',
  alerts: 'Open alerts',
  'no-backups': 'No backups',
  broken: 'No intact chain',
  unverified: 'Not verified by a drill (48 h)',
};

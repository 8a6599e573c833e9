/**
 * What the dashboard's server actions do, without Next.js: validate the input (zod), then start a job or
 * call the cluster, and return a typed result the page shows. The actions in app/ (one per page, 'use server')
 * check the caller's role first, then call these; tests call them with a context of their own.
 * One module per feature; this index only gathers them.
 */
export * from './shared';
export * from './backup';
export * from './chains';
export * from './artifacts';
export * from './restore';
export * from './jobs';
export * from './clusters';
export * from './folders';
export * from './point-search';
export * from './drill';

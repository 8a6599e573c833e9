/**
 * The kinds of job (lib/jobs/protocol.ts), apart from the protocol's schemas: the catalog's schema names them,
 * and every command that opens the catalog would otherwise build the job protocol's classic zod schemas.
 */
export const JOB_KINDS = ['backup', 'restore', 'aggregate', 'verify', 'delete', 'prune', 'log', 'preview', 'drill'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * What a finished job changes in the catalog beyond its own row: a verification records each checked
 * artifact's result (ok, or corrupt with the problems found); a drill records its outcome in the drill history
 * (a cancelled or interrupted drill verified nothing and is not recorded).
 */
import type { Catalog } from '../db';
import { setVerification } from '../db/queries/artifacts';
import { recordDrill } from '../db/queries/drills';
import type { JobRow } from '../db/schema';
import { jobResult } from './protocol';

export function applyJobEffects(db: Catalog, job: JobRow): void {
  if (job.kind === 'drill') return recordDrillJob(db, job);
  if (job.kind !== 'verify' || !job.folderId) return;
  const result = jobResult('verify', job.result);
  if (!result) return;
  const { checked, problems } = result;
  for (const file of checked) {
    const mine = problems.filter((p) => p.startsWith(`${file}:`)).map((p) => p.slice(file.length + 1).trim());
    setVerification(db, { folderId: job.folderId, file, status: mine.length ? 'corrupt' : 'ok', message: mine.length ? mine.join('; ') : null });
  }
}

function recordDrillJob(db: Catalog, job: JobRow): void {
  if (job.status !== 'succeeded' && job.status !== 'failed') return;
  // the dashboard's command keeps the location drilled and the point asked for in the job's parameters
  const r = jobResult('drill', job.result);
  const startedAt = job.startedAt ?? job.createdAt;
  const finishedAt = job.endedAt ?? Date.now();
  const location = typeof job.params.location === 'string' ? job.params.location : '';
  const pointKind = r?.point.kind ?? (typeof job.params.point === 'string' ? job.params.point : 'latest');
  recordDrill(db, {
    clusterId: job.clusterId,
    folderId: job.folderId,
    database: job.database,
    location,
    pointKind,
    pointTx: r?.restoredTx ?? null,
    chainEnd: r?.chain.at(-1) ?? null,
    artifact: r?.artifact ?? null,
    passed: r?.passed === true && job.status === 'succeeded',
    failedCheck: r ? r.failedCheck : (job.errorCode ?? 'INTERNAL'),
    problem: r ? r.problem : job.error,
    rtoMs: r?.rtoMs ?? null,
    startedAt,
    finishedAt,
    jobId: job.id,
  });
}

/**
 * What a finished job changes in the catalog beyond its own row: a verification records each checked
 * artifact's result (ok, or corrupt with the problems found).
 */
import type { Catalog } from '../db';
import { setVerification } from '../db/queries/artifacts';
import type { JobRow } from '../db/schema';
import { jobResult } from './protocol';

export function applyJobEffects(db: Catalog, job: JobRow): void {
  if (job.kind !== 'verify' || !job.folderId) return;
  const result = jobResult('verify', job.result);
  if (!result) return;
  const { checked, problems } = result;
  for (const file of checked) {
    const mine = problems.filter((p) => p.startsWith(`${file}:`)).map((p) => p.slice(file.length + 1).trim());
    setVerification(db, { folderId: job.folderId, file, status: mine.length ? 'corrupt' : 'ok', message: mine.length ? mine.join('; ') : null });
  }
}

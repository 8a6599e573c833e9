/**
 * What the browser reads from a finished job's stored result (components/jobs/job-results.ts): typed through the
 * job protocol for the job's own kind, nothing from a job of another kind or a result of the wrong shape.
 */
import { describe, expect, it } from 'vitest';
import { backupOutcome, resultOf } from '@/components/jobs/job-results';
import type { JobRow } from '@/lib/db/schema';
import { isNeo4jRestoreResult } from '../../lib/jobs/protocol';

const counters = { ts: '2026-01-01T00:00:00.000Z', event: 'result', phase: 'result', bytesDone: 10, bytesTotal: 10, txDone: 3, txTotal: 3, exitCode: 0 };

const BACKUP = {
  ...counters,
  problems: [],
  results: [{ database: 'shop', ok: true, type: 'full', artifact: 'shop-2026-01-01T00-00-00-full.backup', fallbackReason: 'the member pruned its log' }],
};

const RESTORE = {
  ...counters,
  database: 'shop2',
  restoredTx: 41,
  replayed: 12,
  storeId: 'store-1',
  chain: ['a.backup', 'b.backup'],
  digest: { lastCommittedTxn: 41, nodes: 100, relationships: 50, contentHash: 'abc' },
  problems: [],
};

type Job = Pick<JobRow, 'kind' | 'result'>;
const job = (kind: JobRow['kind'], result: unknown): Job => ({ kind, result: result as JobRow['result'] });

describe('backupOutcome', () => {
  it.each<[string, Job, ReturnType<typeof backupOutcome>]>([
    ['a backup that wrote a full after a fallback', job('backup', BACKUP), BACKUP.results[0] as ReturnType<typeof backupOutcome>],
    ['a differential', job('backup', { ...BACKUP, results: [{ database: 'shop', ok: true, type: 'diff', artifact: 'd.backup' }] }), { database: 'shop', ok: true, type: 'diff', artifact: 'd.backup' }],
    ['a backup with no result yet', job('backup', null), null],
    ['a backup whose run reported no database', job('backup', { ...BACKUP, results: [] }), null],
    ['a result of the wrong shape (an artifact that is not a file name)', job('backup', { ...BACKUP, results: [{ database: 'shop', ok: true, artifact: 42 }] }), null],
    ['a backup-shaped result on a job of another kind', job('aggregate', BACKUP), null],
    ['a restore', job('restore', RESTORE), null],
  ])('%s', (_what, j, expected) => {
    expect(backupOutcome(j)).toEqual(expected);
  });
});

describe('resultOf', () => {
  it('reads a restore result typed, as the CLI printed it', () => {
    const r = resultOf(job('restore', RESTORE), 'restore');
    expect(r?.database).toBe('shop2');
    expect(r && !isNeo4jRestoreResult(r) ? r.digest.nodes : null).toBe(100);
    expect(r && !isNeo4jRestoreResult(r) ? r.chain : null).toEqual(['a.backup', 'b.backup']);
  });

  it.each<[string, Job]>([
    ['a restore without its digest', job('restore', { ...RESTORE, digest: undefined })],
    ['a restore with a counter that is not a number', job('restore', { ...RESTORE, restoredTx: '41' })],
    ['a backup', job('backup', BACKUP)],
    ['a restore that has not finished', job('restore', null)],
  ])('gives nothing for %s', (_what, j) => {
    expect(resultOf(j, 'restore')).toBeNull();
  });
});

/**
 * The job protocol (lib/jobs/protocol.ts) against the CLI's own argument parsing: for every job kind, an input
 * becomes argv (`jobArgv`) and the `txline` commander program reads that argv back (`parseJobArgv`) into an
 * input equal to the first, awkward values included (spaces, unicode, '=', a leading '-', commas where
 * allowed). The result schemas are checked against what the CLI prints, and the error line's code too.
 */
import { describe, expect, it } from 'vitest';
import { parseJobArgv } from '../../lib/cli/job-argv';
import { JOB_KINDS, jobArgv, isNeo4jRestoreResult, jobResult, parseJobLine, resultErrorCode, restoreUntilArg, type JobSpec } from '../../lib/jobs/protocol';

const AWKWARD = [
  '/backups/plain',
  '/backups/with space/and  two',
  '/backups/ünïcödé/数据库/🙂',
  '/backups/a=b/c==d',
  '-starts-with-dash',
  '--looks-like=a-flag',
  '/backups/trailing space ',
  'relative/path',
];

const roots = [[], ['/'], ['/srv/backup roots/ü'], ['/a', '/b=c', '/-d']];

const CASES: Record<(typeof JOB_KINDS)[number], JobSpec[]> = {
  backup: [
    ...AWKWARD.map((toPath, i): JobSpec => ({
      kind: 'backup',
      input: { database: 'neo4j', toPath, type: (['auto', 'full', 'diff'] as const)[i % 3], compress: i % 2 === 0, preferDiffAsParent: i % 3 === 0, from: [], confineToRoots: roots[i % roots.length] },
    })),
    { kind: 'backup', input: { database: 'a.b-c9', toPath: '/x', type: 'diff', compress: false, preferDiffAsParent: true, from: ['127.0.0.1:6362', '[::1]:6372', 'member-3.example:6382'], confineToRoots: ['/x'] } },
    // a registered Neo4j cluster's backup, by its neo4j-admin
    { kind: 'backup', input: { database: 'neo4j', toPath: '/backups/prod', type: 'auto', compress: true, preferDiffAsParent: false, from: [], confineToRoots: [], cluster: 'prod_1.x-y' } },
  ],
  restore: [
    ...AWKWARD.filter((p) => p === p.trim()).map((p, i): JobSpec => ({
      kind: 'restore',
      input: { database: i % 2 ? 'copy' : 'neo4j', fromPath: [p], fromDatabase: 'neo4j', overwriteDestination: i % 2 === 0, confineToRoots: roots[i % roots.length] },
    })),
    { kind: 'restore', input: { database: 'copy', fromPath: ['/b/one', '/b/two=2', '-three'], overwriteDestination: false, confineToRoots: [] } },
    { kind: 'restore', input: { database: 'copy', fromPath: ['/b'], fromDatabase: 'neo4j', restoreUntil: { kind: 'tx', before: 1 }, overwriteDestination: true, confineToRoots: [] } },
    { kind: 'restore', input: { database: 'copy', fromPath: ['/b'], restoreUntil: { kind: 'tx', before: Number.MAX_SAFE_INTEGER }, overwriteDestination: false, confineToRoots: [] } },
    { kind: 'restore', input: { database: 'copy', fromPath: ['/b'], restoreUntil: { kind: 'time', before: Date.UTC(2026, 11, 6, 5, 4, 3) }, overwriteDestination: false, confineToRoots: [] } },
    { kind: 'restore', input: { database: 'copy', fromPath: ['/b'], restoreUntil: { kind: 'time', before: Date.UTC(2024, 1, 29, 23, 59, 59, 7) }, overwriteDestination: false, confineToRoots: [] } },
    // into a registered Neo4j cluster, by seeding or by neo4j-admin
    { kind: 'restore', input: { database: 'copy', fromPath: ['/backups/prod'], restoreUntil: { kind: 'tx', before: 12 }, overwriteDestination: false, confineToRoots: [], cluster: 'prod', via: 'seed' } },
    { kind: 'restore', input: { database: 'copy', fromPath: ['/backups/prod/neo4j-2026-01-01T00-00-00.backup'], overwriteDestination: true, confineToRoots: [], cluster: 'prod', via: 'neo4j-admin' } },
  ],
  aggregate: AWKWARD.map((fromPath, i): JobSpec => ({ kind: 'aggregate', input: { database: 'neo4j', fromPath, keepOldBackup: i % 2 === 1, confineToRoots: roots[i % roots.length] } })),
  verify: [
    ...AWKWARD.map((fromPath, i): JobSpec => ({ kind: 'verify', input: { database: 'neo4j', fromPath, reportPath: AWKWARD[(i + 3) % AWKWARD.length], confineToRoots: roots[i % roots.length] } })),
    { kind: 'verify', input: { fromPath: '/b/x.backup', reportPath: '.', confineToRoots: [] } },
  ],
  delete: [
    { kind: 'delete', input: { files: ['/b/neo4j-2026-12-06T05.00.00.backup'], withDependents: false, confineToRoots: [] } },
    { kind: 'delete', input: { files: ['/backups/with space/a=b.backup', '/backups/with space/-c.backup'], withDependents: true, confineToRoots: ['/backups/with space'] } },
    { kind: 'delete', input: { files: ['/srv/ü/--looks-like=a-flag'], withDependents: true, confineToRoots: roots[3] } },
    { kind: 'delete', input: { files: ['/x/a', '/x/b', '/x/c'], withDependents: false, confineToRoots: ['/'] } },
    { kind: 'delete', input: { files: ['s3://offsite/prod/neo4j-2026-12-06T05-00-00.backup'], withDependents: true, confineToRoots: ['/backups'] } },
  ],
  prune: [
    ...AWKWARD.map((fromPath, i): JobSpec => ({
      kind: 'prune',
      input: {
        fromPath,
        ...(i % 2 ? { database: 'neo4j' } : {}),
        ...(i % 3 !== 1 ? { keepFull: i + 1 } : {}),
        ...(i % 3 !== 0 ? { keepDays: 7 * i } : {}),
        ...(i % 4 === 3 ? { keepWeekly: 52 } : {}),
        dryRun: i % 2 === 0,
        confineToRoots: roots[i % roots.length],
      },
    })),
    { kind: 'prune', input: { fromPath: '/b', database: 'a.b-c9', keepWeekly: 1, dryRun: false, confineToRoots: [] } },
    { kind: 'prune', input: { fromPath: '/b', keepFull: Number.MAX_SAFE_INTEGER, keepDays: 1, keepWeekly: 2, dryRun: true, confineToRoots: ['/b'] } },
  ],
  log: [
    ...AWKWARD.filter((p) => p === p.trim()).map((p, i): JobSpec => ({
      kind: 'log',
      input: { database: 'neo4j', fromPath: [p], match: i % 2 ? ['deleted:Customer'] : [], limit: 1 + i, confineToRoots: roots[i % roots.length] },
    })),
    { kind: 'log', input: { database: 'a.b-c9', fromPath: ['/b/one', '/b/two=2'], fromTx: 1, toTx: Number.MAX_SAFE_INTEGER, match: ['created:Order', 'prop:name="Smith, J",label:Customer', 'prop:a=b=c', 'type:KNOWS,changed'], limit: 10_000, confineToRoots: [] } },
    { kind: 'log', input: { database: 'neo4j', fromPath: ['/b'], fromTime: Date.UTC(2026, 11, 6, 5, 4, 3), toTime: Date.UTC(2026, 11, 6, 5, 4, 3, 7), match: ['prop:näme=ünïcödé 🙂', 'prop:"--x"'], limit: 50, confineToRoots: ['/b'] } },
  ],
  preview: [
    ...AWKWARD.filter((p) => p === p.trim()).map((p, i): JobSpec => ({ kind: 'preview', input: { database: 'neo4j', fromPath: [p], restoreUntil: { kind: 'tx', before: 1 + i * 1000 }, confineToRoots: roots[i % roots.length] } })),
    { kind: 'preview', input: { database: 'copy', fromPath: ['/b', '-c'], restoreUntil: { kind: 'time', before: Date.UTC(2024, 1, 29, 23, 59, 59, 7) }, confineToRoots: [] } },
  ],
  drill: [
    ...AWKWARD.filter((p) => p === p.trim()).map((p, i): JobSpec => ({ kind: 'drill', input: { database: 'neo4j', fromPath: [p], point: i % 2 ? 'random' : 'latest', to: [], confineToRoots: roots[i % roots.length] } })),
    { kind: 'drill', input: { database: 'copy', fromPath: ['/b', '-c'], point: { kind: 'tx', before: 129 }, to: ['127.0.0.1:6362', '[::1]:6372'], confineToRoots: [] } },
    { kind: 'drill', input: { database: 'neo4j', fromPath: ['s3://bucket/prefix'], point: 'latest', to: [], confineToRoots: [] } },
  ],
};

describe('job protocol: input -> argv -> input', () => {
  for (const kind of JOB_KINDS) {
    it(`${kind}: every input survives the round trip through the CLI's parser`, async () => {
      expect(CASES[kind].length).toBeGreaterThan(3);
      for (const spec of CASES[kind]) {
        const argv = jobArgv(spec);
        const back = await parseJobArgv(argv);
        expect(back, `txline ${JSON.stringify(argv)}`).toStrictEqual(spec);
        // the runner adds --progress=jsonl at the end; it changes nothing of the input
        expect(await parseJobArgv([...argv, '--progress=jsonl'])).toStrictEqual(spec);
      }
    });
  }

  it('refuses inputs the CLI could not read back as given', () => {
    const bad: Array<{ kind: JobSpec['kind']; input: unknown }> = [
      { kind: 'backup', input: { database: 'Neo4j', toPath: '/x', type: 'auto', compress: true, preferDiffAsParent: false, from: [], confineToRoots: [] } },
      { kind: 'backup', input: { database: 'neo4j', toPath: '', type: 'auto', compress: true, preferDiffAsParent: false, from: [], confineToRoots: [] } },
      { kind: 'backup', input: { database: 'neo4j', toPath: '/x', type: 'auto', compress: true, preferDiffAsParent: false, from: ['not an address'], confineToRoots: [] } },
      { kind: 'backup', input: { database: 'neo4j', toPath: '/x', type: 'auto', compress: true, preferDiffAsParent: false, from: [], confineToRoots: ['relative'] } },
      { kind: 'backup', input: { database: 'neo4j', toPath: '/x', type: 'auto', compress: true, preferDiffAsParent: false, from: [], confineToRoots: ['/a/../b'] } },
      { kind: 'restore', input: { database: 'copy', fromPath: ['/a,b'], overwriteDestination: false, confineToRoots: [] } },
      { kind: 'restore', input: { database: 'copy', fromPath: [' /a'], overwriteDestination: false, confineToRoots: [] } },
      { kind: 'restore', input: { database: 'copy', fromPath: [], overwriteDestination: false, confineToRoots: [] } },
      { kind: 'restore', input: { database: 'copy', fromPath: ['/a'], restoreUntil: { kind: 'tx', before: 0 }, overwriteDestination: false, confineToRoots: [] } },
      { kind: 'aggregate', input: { database: '-neo4j', fromPath: '/a', keepOldBackup: false, confineToRoots: [] } },
      { kind: 'verify', input: { fromPath: '/a', reportPath: '/r', confineToRoots: [], extra: 1 } },
      { kind: 'prune', input: { fromPath: '/a', dryRun: false, confineToRoots: [] } },
      { kind: 'prune', input: { fromPath: '/a', keepFull: 0, dryRun: false, confineToRoots: [] } },
      { kind: 'prune', input: { fromPath: '/a', keepDays: 1.5, dryRun: false, confineToRoots: [] } },
      { kind: 'prune', input: { fromPath: '/a', database: 'Neo4j', keepWeekly: 1, dryRun: false, confineToRoots: [] } },
      { kind: 'prune', input: { fromPath: '', keepFull: 1, dryRun: false, confineToRoots: [] } },
      { kind: 'log', input: { database: 'neo4j', fromPath: ['/a'], match: ['deleted:'], limit: 5, confineToRoots: [] } },
      { kind: 'log', input: { database: 'neo4j', fromPath: ['/a'], match: ['removed:Customer'], limit: 5, confineToRoots: [] } },
      { kind: 'log', input: { database: 'neo4j', fromPath: ['/a'], match: [], limit: 0, confineToRoots: [] } },
      { kind: 'log', input: { database: 'neo4j', fromPath: ['/a'], match: [], confineToRoots: [] } },
      { kind: 'log', input: { database: 'neo4j', fromPath: ['/a'], fromTx: 0, match: [], limit: 5, confineToRoots: [] } },
      { kind: 'preview', input: { database: 'neo4j', fromPath: ['/a'], confineToRoots: [] } },
      { kind: 'preview', input: { database: 'neo4j', fromPath: ['/a,b'], restoreUntil: { kind: 'tx', before: 3 }, confineToRoots: [] } },
      { kind: 'drill', input: { database: 'neo4j', fromPath: ['/a'], point: 'newest', to: [], confineToRoots: [] } },
      { kind: 'drill', input: { database: 'neo4j', fromPath: ['/a'], point: { kind: 'tx', before: 0 }, to: [], confineToRoots: [] } },
      { kind: 'drill', input: { database: 'neo4j', fromPath: ['/a'], point: 'latest', to: ['nowhere'], confineToRoots: [] } },
      { kind: 'drill', input: { database: 'txline-drill-x', fromPath: [], point: 'latest', to: [], confineToRoots: [] } },
      { kind: 'delete', input: { files: ['s3://k:secret@b/p/n.backup'], withDependents: true, confineToRoots: [] } },
      { kind: 'delete', input: { files: ['s3://b/p/a,b.backup'], withDependents: true, confineToRoots: [] } },
      { kind: 'delete', input: { files: ['s3://b/p/'], withDependents: true, confineToRoots: [] } },
      { kind: 'delete', input: { files: ['relative/n.backup'], withDependents: true, confineToRoots: [] } },
    ];
    for (const b of bad) expect(() => jobArgv(b as JobSpec), JSON.stringify(b)).toThrow(/invalid .* job input/);
  });

  it('writes a restore time as the UTC text --restore-until reads', () => {
    expect(restoreUntilArg({ kind: 'time', before: Date.UTC(2026, 0, 2, 3, 4, 5) })).toBe('2026-01-02 03:04:05');
    expect(restoreUntilArg({ kind: 'time', before: Date.UTC(2026, 0, 2, 3, 4, 5, 60) })).toBe('2026-01-02 03:04:05.060');
  });
});

describe('job protocol: lines on stdout', () => {
  const counters = { ts: '2026-12-06T05:00:00.000Z', event: 'result', phase: 'result', bytesDone: 10, bytesTotal: 10, txDone: 3, txTotal: 3 };

  it('reads each kind of result as the CLI prints it, typed, and what failed as a code', () => {
    const backup = { ...counters, exitCode: 1, problems: [], results: [{ database: 'neo4j', ok: false, error: { code: 'TX_PRUNED', message: 'pruned' } }] };
    const b = jobResult('backup', backup);
    expect(b?.results[0].error?.code).toBe('TX_PRUNED');
    expect(b && resultErrorCode('backup', b)).toBe('TX_PRUNED');

    const restore = { ...counters, exitCode: 0, database: 'copy', restoredTx: 9, replayed: 2, storeId: 's', chain: ['a.backup'], digest: { lastCommittedTxn: 9, nodes: 1, relationships: 0, contentHash: 'ab' }, problems: [] };
    expect(jobResult('restore', restore)).toMatchObject({ restoredTx: 9 });
    // a Neo4j cluster's restore (--cluster) reads as its own shape, with no engine figures
    const seeded = { ...counters, exitCode: 0, via: 'seed', database: 'copy', neo4jVersion: '2025.10.1', copies: [{ address: 'h:7687', currentStatus: 'online', lastCommittedTxn: 8 }] };
    const s = jobResult('restore', seeded);
    expect(s && isNeo4jRestoreResult(s) ? s.copies[0].lastCommittedTxn : null).toBe(8);
    expect(s && resultErrorCode('restore', s)).toBeNull();
    expect(resultErrorCode('restore', jobResult('restore', restore) as NonNullable<ReturnType<typeof jobResult<'restore'>>>)).toBeNull();

    const verify = { ...counters, exitCode: 1, ok: false, checked: ['a.backup'], problems: ['a.backup: bad checksum'], reportFile: '/r/report.txt' };
    const v = jobResult('verify', verify);
    expect(v?.problems).toEqual(['a.backup: bad checksum']);
    expect(v && resultErrorCode('verify', v)).toBe('ARTIFACT_CORRUPT');

    const aggregate = { ...counters, exitCode: 0, results: [{ database: 'neo4j', ok: true, artifact: 'n.backup', deleted: ['a'], kept: [] }] };
    expect(jobResult('aggregate', aggregate)?.results[0].artifact).toBe('n.backup');

    const deleted = {
      ...counters,
      exitCode: 0,
      folder: '/b',
      dryRun: false,
      deleted: [{ file: 'd.backup', database: 'neo4j', time: '2026-12-06T05:00:00.000Z', full: false, lowestTx: 5, highestTx: 9, parent: 'f.backup', sizeBytes: 10, txCount: 5, requested: false }],
      databases: [{ database: 'neo4j', remaining: 1, restorable: [{ storeId: 's', fromTx: 4, toTx: 4, fromTime: null, toTime: '2026-12-06T04:00:00.000Z' }] }],
      skipped: [],
    };
    expect(jobResult('delete', deleted)?.deleted.map((d) => d.file)).toEqual(['d.backup']);

    const pruned = {
      ...counters,
      exitCode: 0,
      folder: '/b',
      dryRun: true,
      deleted: [{ ...deleted.deleted[0], chain: 2, reason: 'chain 2 of 2 beyond --keep-full=1 (restorable chain 2)' }],
      databases: [
        {
          database: 'neo4j',
          remaining: 2,
          chains: [
            { number: 1, root: 'f2.backup', artifacts: 2, toTx: 20, newestTime: '2026-12-06T05:00:00.000Z', restorable: true, problem: null, keep: true, reasons: ['restorable chain 1 of 2, within --keep-full=1'] },
            { number: 2, root: 'f.backup', artifacts: 1, toTx: 9, newestTime: '2026-12-06T04:00:00.000Z', restorable: true, problem: null, keep: false, reasons: ['chain 2 of 2 beyond --keep-full=1 (restorable chain 2)'] },
          ],
          restorableBefore: deleted.databases[0].restorable,
          restorable: deleted.databases[0].restorable,
        },
      ],
      skipped: [],
    };
    const pr = jobResult('prune', pruned);
    expect(pr?.deleted[0].reason).toMatch(/beyond --keep-full=1/);
    expect(pr && resultErrorCode('prune', pr)).toBeNull();
    // a delete's result is not a prune's (no reasons)
    expect(jobResult('prune', deleted)).toBeNull();

    const drill = {
      ...counters,
      exitCode: 1,
      passed: false,
      database: 'neo4j',
      scratch: 'txline-drill-neo4j-0123abcd',
      point: { kind: 'latest', before: null },
      restoredTx: null,
      chain: ['f.backup', 'd.backup'],
      failedCheck: 'artifacts',
      artifact: 'd.backup',
      problem: 'd.backup is corrupt: payload checksum mismatch',
      checks: [{ check: 'chain', ok: true, detail: '2 artifact(s)' }, { check: 'artifacts', ok: false, detail: 'd.backup is corrupt' }],
      rtoMs: null,
      durationMs: 120,
      expected: null,
      actual: null,
    };
    const dr = jobResult('drill', drill);
    expect(dr?.artifact).toBe('d.backup');
    expect(dr && resultErrorCode('drill', dr)).toBe('ARTIFACT_CORRUPT');
    expect(resultErrorCode('drill', { ...(dr as NonNullable<typeof dr>), failedCheck: 'counts' })).toBe('DRILL_FAILED');
    expect(resultErrorCode('drill', { ...(dr as NonNullable<typeof dr>), passed: true, failedCheck: null })).toBeNull();

    // another kind's result, or none, is not a result of this kind
    expect(jobResult('verify', restore)).toBeNull();
    expect(jobResult('backup', null)).toBeNull();
  });

  it('tells progress, error, result and plain text apart', () => {
    const progress = JSON.stringify({ ts: counters.ts, phase: 'store', database: 'neo4j', bytesDone: 1, bytesTotal: null, txDone: 0, txTotal: null, member: 'm1' });
    expect(parseJobLine('backup', progress)).toMatchObject({ type: 'progress', progress: { phase: 'store', bytesTotal: null, member: 'm1' } });
    const error = JSON.stringify({ ts: counters.ts, event: 'error', phase: 'error', exitCode: 1, code: 'CHAIN_BROKEN', message: 'gap' });
    expect(parseJobLine('restore', error)).toMatchObject({ type: 'error', error: { code: 'CHAIN_BROKEN', message: 'gap' } });
    expect(parseJobLine('restore', JSON.stringify({ ts: counters.ts, event: 'error', code: 'NOT_A_CODE', message: 'x', exitCode: 1 }))).toMatchObject({ type: 'invalid' });
    expect(parseJobLine('verify', 'plain text')).toEqual({ type: 'text', text: 'plain text' });
    expect(parseJobLine('verify', JSON.stringify({ ...counters, exitCode: 0 }))).toMatchObject({ type: 'invalid' });
  });
});

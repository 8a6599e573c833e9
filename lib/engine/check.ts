/**
 * Check: verifies artifacts (payload checksums, transaction records, chain links) and the consistency of
 * every full store (relationships point at existing nodes, counts agree, labels belong to nodes), and
 * writes a report file when something is wrong.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TxlineError, describeError } from '../errors';
import { cleanStaleWorkDirs, makeWorkDir } from '../cleanup';
import { consumePayload, listArtifactsIn, listWhere, openWhere, skippedLine, type Artifact } from './artifact';
import { byTime, chainTo, isEmpty } from './chain';
import type { PayloadFormat } from './format';
import type { EngineLog, ProgressSink } from './progress';

export interface CheckOptions {
  fromPath: string;
  database?: string;
  reportDir: string;
  tempPath?: string;
  /** what the payloads hold, and how they are checked (the kind that wrote them) */
  format: PayloadFormat;
  log: EngineLog;
  progress?: ProgressSink;
}

export interface CheckResult {
  ok: boolean;
  checked: string[];
  problems: string[];
  reportFile: string | null;
  /** payload bytes read, and transactions the checked artifacts hold */
  bytesChecked: number;
  txChecked: number;
}

export async function check(opts: CheckOptions): Promise<CheckResult> {
  const { log } = opts;
  const where = openWhere(opts.fromPath, '--from-path');
  const listed = await listWhere(where);
  for (const p of listed.problems) log.warn(skippedLine(p));
  const problems: string[] = listed.problems.map((p) => `${p.file}: ${p.error.message}`);
  let arts = listed.artifacts;
  if (opts.database) arts = arts.filter((a) => a.database === opts.database);
  if (arts.length === 0 && problems.length === 0) {
    throw new TxlineError('PATH_NOT_FOUND', `no backups${opts.database ? ` of ${opts.database}` : ''} at ${opts.fromPath}`);
  }
  arts.sort(byTime);
  // One artifact named: its folder supplies the ancestors its chain is checked against (as a restore reads them).
  // one artifact named: its location supplies the ancestors its chain needs
  const pool = where.name !== null ? (await listArtifactsIn(where.location)).artifacts : listed.artifacts;
  for (const m of cleanStaleWorkDirs(opts.tempPath ?? os.tmpdir())) log.info(m);
  // Bytes: of the payloads read; transactions: those the artifacts hold (a full: its store's).
  const bytesTotal = arts.reduce((n, a) => n + a.payload.sizeBytes, 0);
  const txTotal = arts.reduce((n, a) => n + a.txCount, 0);
  let bytesDone = 0;
  let txDone = 0;
  for (const [i, a] of arts.entries()) {
    opts.progress?.({ phase: 'check', database: a.database, artifact: a.file, bytesDone, bytesTotal, txDone, txTotal, artifactsDone: i, artifactsTotal: arts.length });
    log.debug?.(`checking ${a.file} (${a.full ? 'full' : 'differential'}, transactions ${a.lowestTx}..${a.highestTx}, ${a.payload.sizeBytes} bytes)`);
    const found = await checkArtifact(a, opts);
    bytesDone += a.payload.sizeBytes;
    txDone += a.txCount;
    if (found.length === 0) log.info(`${a.file}: ok`);
    for (const f of found) {
      log.error(`${a.file}: ${f}`);
      problems.push(`${a.file}: ${f}`);
    }
    const c = chainTo(a, pool.filter((x) => x.database === a.database));
    if (!c.ok) {
      log.error(`${a.file}: ${c.problem}`);
      problems.push(`${a.file}: ${c.problem}`);
    }
  }
  let reportFile: string | null = null;
  if (problems.length > 0) {
    fs.mkdirSync(opts.reportDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    reportFile = path.join(path.resolve(opts.reportDir), `txline-check-${opts.database ?? 'all'}-${stamp}.txt`);
    const text = [
      `Txline check of ${path.resolve(opts.fromPath)}${opts.database ? ` (database ${opts.database})` : ''}`,
      `at ${new Date().toISOString()}: ${problems.length} problem(s) in ${arts.length} artifact(s)`,
      '',
      ...problems.map((p) => `- ${p}`),
      '',
    ].join('\n');
    fs.writeFileSync(reportFile, text);
    log.warn(`wrote the report ${reportFile}`);
  }
  opts.progress?.({ phase: 'done', bytesDone, bytesTotal, txDone, txTotal, artifactsDone: arts.length, artifactsTotal: arts.length, problems: problems.length });
  return { ok: problems.length === 0, checked: arts.map((a) => a.file), problems, reportFile, bytesChecked: bytesDone, txChecked: txDone };
}

async function checkArtifact(a: Artifact, opts: CheckOptions): Promise<string[]> {
  try {
    if (a.full) return await checkFullStore(a, opts);
    if (isEmpty(a)) {
      await consumePayload(a, async (src) => {
        for await (const c of src) if ((c as Buffer).length > 0) throw new TxlineError('ARTIFACT_CORRUPT', `${a.file} is empty but holds data`);
      });
      return [];
    }
    return await opts.format.checkDiff(a);
  } catch (e) {
    return [describeError(e).replace(`${a.file} is corrupt: `, 'corrupt: ')];
  }
}

async function checkFullStore(a: Artifact, opts: CheckOptions): Promise<string[]> {
  const work = makeWorkDir(opts.tempPath ?? os.tmpdir(), 'check', a.database);
  try {
    const file = path.join(work.dir, 'store.sqlite');
    await consumePayload(a, (src) => pipeline(src, fs.createWriteStream(file, { highWaterMark: 1024 * 1024 })));
    return opts.format.checkFullStore(a, file);
  } finally {
    work.remove();
  }
}

/**
 * /api/metrics over a real catalog, a real cluster and real backup jobs: the output parses as Prometheus text
 * (the strict reader in tests/helpers/prom-text.ts), every family has its HELP and TYPE before any sample
 * (also in an empty catalog), the last-success timestamp moves when a real backup job succeeds (and not when
 * one fails: that one counts in txline_job_failures_total), and a schedule's next run is exported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { JobRunner } from '../../lib/jobs/runner';
import { setSchedule } from '../../lib/schedules/store';
import { txlineMetrics } from '../../lib/server/metrics';
import { startTestCluster, tempDir, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { TXLINE_BIN, writeTx } from '../helpers/engine';
import { parsePrometheusText, type PromFamily } from '../helpers/prom-text';

const NEW_FAMILIES = [
  'txline_backup_last_success_timestamp_seconds',
  'txline_backup_duration_seconds',
  'txline_backup_size_bytes',
  'txline_job_failures_total',
  'txline_schedule_next_run_timestamp_seconds',
];
const OLD_FAMILIES = ['txline_jobs', 'txline_last_backup_timestamp_seconds', 'txline_last_backup_age_seconds', 'txline_member_replication_lag', 'txline_member_online'];
const PROCESS_FAMILIES = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes'];

async function scrape(db: Catalog, now?: number): Promise<Map<string, PromFamily>> {
  const m = await txlineMetrics(db, now);
  expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(m.body);
}

function value(f: Map<string, PromFamily>, family: string, labels: Record<string, string>): number | undefined {
  return f.get(family)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;
}

describe('the strict Prometheus text reader', () => {
  it('refuses what Prometheus refuses, and what a careless exporter writes', () => {
    const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1\\"\\\\\\n"} 3\n';
    expect(parsePrometheusText(ok).get('a_total')?.samples[0]).toEqual({ name: 'a_total', labels: { x: '1"\\\n' }, value: 3 });
    const bad: Array<[string, RegExp]> = [
      ['a 1\n', /before any TYPE/],
      ['# TYPE a gauge\na 1\n', /before any HELP/],
      ['# HELP a A.\n# TYPE a gauge\na 1\n# TYPE a gauge\n', /second TYPE/],
      ['# HELP a A.\n# TYPE a gauge\na{x="1"} one\n', /not a sample value/],
      ['# HELP a A.\n# TYPE a gauge\na{x=1} 1\n', /malformed label/],
      ['# HELP a A.\n# TYPE a gauge\na{x="\\t"} 1\n', /bad escape/],
      ['# HELP a A.\n# TYPE a gauge\na 1\na 2\n', /twice/],
      ['# HELP a A.\n# TYPE a gauge\na 1\n# HELP b B.\n# TYPE b gauge\nb 1\na{x="2"} 1\n', /not contiguous/],
      ['# HELP a A.\n# TYPE a gauge\na 1', /end with a newline/],
      ['# HELP a A.\n# TYPE a histogram\na_bucket 1\n', /without le/],
      ['# HELP a A.\n# TYPE a wibble\n', /malformed TYPE/],
      ['# HELP a A.\n', /no TYPE line/],
    ];
    for (const [text, why] of bad) expect(() => parsePrometheusText(text), text).toThrow(why);
  });
});

describe('/api/metrics over real backup jobs', () => {
  let cluster: TestCluster;
  let dir: string;
  let db: Catalog;
  let runner: JobRunner;
  let clusterId: number;
  let folderId: number;
  const backups = () => path.join(dir, 'backups');

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('metrics');
    fs.mkdirSync(backups());
    db = openCatalog(path.join(dir, 'txline.sqlite'));
    clusterId = upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null }).id;
    const folder = ensureFolder(db, { name: 'default', path: backups(), isDefault: true });
    folderId = folder.id;
    runner = new JobRunner(db, { bin: TXLINE_BIN, onFinished: async () => {
        await indexFolder(db, folder);
      },
    });
    await writeTx(cluster.writer, 'neo4j', 20);
    await waitForConvergence(cluster, 'neo4j');
  });

  afterAll(async () => {
    runner?.stopAll();
    await cluster?.stop();
    db?.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function backup(type: 'full' | 'diff' | 'auto', from: string[] = []) {
    const r = runner.start({
      kind: 'backup',
      database: 'neo4j',
      clusterId,
      folderId,
      params: { type },
      input: { database: 'neo4j', toPath: backups(), type, compress: true, preferDiffAsParent: false, from, confineToRoots: [] },
      env: { TXLINE_CLUSTER_ADDRESSES: cluster.addresses.join(',') },
      createdBy: 'tester',
    });
    if (!r.ok) throw new Error(r.error);
    const job = await runner.wait(r.jobId);
    if (!job) throw new Error(`job #${r.jobId} vanished`);
    return job;
  }

  it('exports every family with HELP and TYPE before its first sample, even in an empty catalog', async () => {
    const f = await scrape(db);
    for (const name of [...OLD_FAMILIES, ...NEW_FAMILIES, ...PROCESS_FAMILIES]) {
      expect(f.get(name), name).toBeDefined();
      expect(f.get(name)?.help, name).not.toBe('');
    }
    for (const name of NEW_FAMILIES) expect(f.get(name)?.samples, name).toEqual([]);
    expect(f.get('txline_job_failures_total')?.type).toBe('counter');
    expect(f.get('process_cpu_seconds_total')?.type).toBe('counter');
    const start = f.get('process_start_time_seconds')?.samples[0].value ?? 0;
    expect(Math.abs(start - (Date.now() - process.uptime() * 1000) / 1000)).toBeLessThan(5);
    expect(f.get('process_resident_memory_bytes')?.samples[0].value).toBeGreaterThan(1e6);
  });

  it('moves the last-success timestamp after a real backup job, and counts a failed one as a failure', async () => {
    const labels = { cluster: 'embedded', database: 'neo4j', type: 'full' };
    const first = await backup('full');
    expect(first.status).toBe('succeeded');
    const a = await scrape(db);
    const t1 = value(a, 'txline_backup_last_success_timestamp_seconds', labels);
    expect(t1).toBe((first.endedAt as number) / 1000);
    expect(value(a, 'txline_backup_duration_seconds', labels)).toBe(((first.endedAt as number) - (first.startedAt as number)) / 1000);
    const artifact = fs.readdirSync(backups()).find((x) => x.endsWith('.backup')) as string;
    expect(value(a, 'txline_backup_size_bytes', labels)).toBe(fs.statSync(path.join(backups(), artifact)).size);
    expect(value(a, 'txline_job_failures_total', { cluster: 'embedded', database: 'neo4j', kind: 'backup' })).toBeUndefined();

    // a job that fails (nothing listens there) moves nothing but the failure counter
    const failed = await backup('full', ['127.0.0.1:1']);
    expect(failed.status).toBe('failed');
    const b = await scrape(db);
    expect(value(b, 'txline_backup_last_success_timestamp_seconds', labels)).toBe(t1);
    expect(value(b, 'txline_job_failures_total', { cluster: 'embedded', database: 'neo4j', kind: 'backup' })).toBe(1);

    // the next success moves it; a differential has its own series
    await writeTx(cluster.writer, 'neo4j', 5);
    await waitForConvergence(cluster, 'neo4j');
    const second = await backup('auto');
    expect(second.status).toBe('succeeded');
    const c = await scrape(db);
    const diff = value(c, 'txline_backup_last_success_timestamp_seconds', { ...labels, type: 'diff' });
    expect(diff).toBe((second.endedAt as number) / 1000);
    expect(diff).toBeGreaterThan(t1 as number);
    expect(value(c, 'txline_backup_last_success_timestamp_seconds', labels)).toBe(t1);
    // it is the job's end, not the newest artifact's time
    const newestArtifact = value(c, 'txline_last_backup_timestamp_seconds', { folder: 'default', database: 'neo4j' }) as number;
    expect(newestArtifact).toBeLessThan(diff as number);
  });

  it("exports each enabled schedule's next run", async () => {
    const now = Date.UTC(2026, 11, 6, 10, 0, 0);
    setSchedule(db, { clusterId, databaseGlob: 'n*', fullCron: '0 2 * * *', diffCron: '*/15 * * * *', timeZone: 'UTC', enabled: true, folderId }, now);
    setSchedule(db, { clusterId, databaseGlob: 'off', fullCron: '0 3 * * *', diffCron: null, timeZone: 'UTC', enabled: false, folderId }, now);
    const f = await scrape(db, now);
    expect(value(f, 'txline_schedule_next_run_timestamp_seconds', { cluster: 'embedded', database: 'n*', type: 'full' })).toBe(Date.UTC(2026, 11, 7, 2) / 1000);
    expect(value(f, 'txline_schedule_next_run_timestamp_seconds', { cluster: 'embedded', database: 'n*', type: 'diff' })).toBe(Date.UTC(2026, 11, 6, 10, 15) / 1000);
    expect(f.get('txline_schedule_next_run_timestamp_seconds')?.samples).toHaveLength(2); // the disabled one has none
  });
});

/**
 * `txline schedule set|list|remove` as a user runs it, against a catalog in a temporary data folder: the
 * embedded cluster by default, --cluster by name, the location registered once, the next runs printed, and
 * every refusal exit code 2 (or 1 for what is not there) naming the field, with nothing stored or created.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../lib/db';
import { addNeo4jCluster, addRemoteCluster, getClusterByName, listFolders } from '../../lib/db/queries/clusters';
import { getDrillTarget } from '../../lib/db/queries/drills';
import { listSchedules } from '../../lib/db/queries/schedules';
import { tempDir } from '../helpers/cluster';
import { collect, TXLINE_BIN, type CliResult } from '../helpers/engine';

let dir: string;
const catalog = () => path.join(dir, 'data', 'txline.sqlite');

function txline(...args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TXLINE_DATA_DIR: path.join(dir, 'data'), TXLINE_CLUSTER_ADDRESSES: '', TXLINE_CLUSTER_FILE: path.join(dir, 'no-cluster', 'cluster.json'), TXLINE_LOG_LEVEL: 'warn' };
  delete env.NODE_OPTIONS;
  delete env.TXLINE_CATALOG;
  delete env.TXLINE_BACKUP_ROOTS;
  delete env.TXLINE_BACKUP_DIR;
  return collect(spawn(process.execPath, [TXLINE_BIN, 'schedule', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] }), 30_000, args);
}

beforeAll(() => {
  dir = tempDir('schedule-cli');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('txline schedule', () => {
  it('sets a schedule on the embedded cluster, registers the folder, and prints the next runs', async () => {
    const r = await txline('set', 'n*', '--full=0 2 * * *', '--diff=*/15 * * * *', '--location=data/backups', '--tz=Europe/Berlin');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Created the schedule of "n*" on embedded: into ${fs.realpathSync(path.join(dir, 'data', 'backups'))}`);
    expect(r.stdout).toMatch(/full "0 2 \* \* \*" \(Europe\/Berlin\): next runs \d{4}-\d\d-\d\d (00|01):00:00 UTC \(\d{4}-\d\d-\d\d 02:00:00 Europe\/Berlin\)/);
    expect(r.stdout).toMatch(/diff "\*\/15 \* \* \* \*" \(Europe\/Berlin\): next runs \d{4}-\d\d-\d\d \d\d:(00|15|30|45):00 UTC/);

    const again = await txline('set', 'N*', '--diff=0 * * * *', '--location=data/backups', '--disabled');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Replaced the schedule of "n*" on embedded (disabled)');
    expect(again.stdout).not.toContain('registered');

    const db = openCatalog(catalog());
    expect(listFolders(db).filter((f) => f.path.endsWith(path.join('data', 'backups')))).toHaveLength(1);
    expect(listSchedules(db).map((s) => ({ glob: s.databaseGlob, full: s.fullCron, diff: s.diffCron, tz: s.timeZone, enabled: s.enabled }))).toEqual([
      { glob: 'n*', full: null, diff: '0 * * * *', tz: 'UTC', enabled: false },
    ]);
    addRemoteCluster(db, { name: 'far', addresses: ['127.0.0.1:1'] });
    db.$client.close();
  });

  it('lists schedules as a table and as JSON, on a named cluster too, and removes them', async () => {
    expect((await txline('set', 'orders', '--cluster=far', '--full=*/10 * * * * *', '--location=data/backups')).code).toBe(0);
    const table = await txline('list');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^CLUSTER\s+DATABASE\s+FULL\s+DIFF\s+TZ\s+ENABLED\s+LOCATION\s+NEXT FULL \(UTC\)\s+NEXT DIFF \(UTC\)$/);
    expect(table.stdout).toMatch(/embedded\s+n\*\s+-\s+0 \* \* \* \*\s+UTC\s+no\s/);
    const json = JSON.parse((await txline('list', '--json')).stdout) as Array<Record<string, unknown>>;
    const far = json.find((s) => s.cluster === 'far');
    expect(far).toMatchObject({ database: 'orders', full: '*/10 * * * * *', diff: null, enabled: true });
    const next = Date.parse(far?.nextFull as string);
    expect(next - Date.now()).toBeGreaterThan(-1000);
    expect(next - Date.now()).toBeLessThanOrEqual(10_000);
    expect(new Date(next).getUTCSeconds() % 10).toBe(0);
    expect(json.find((s) => s.cluster === 'embedded')).toMatchObject({ nextFull: null, nextDiff: null }); // disabled

    expect((await txline('remove', 'orders')).code).toBe(1); // not on the embedded cluster
    const removed = await txline('remove', 'orders', '--cluster=far');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe('Removed the schedule of "orders" on far\n');
    const left = JSON.parse((await txline('list', '--json')).stdout) as unknown[];
    expect(left).toHaveLength(1);
  });

  it('refuses bad input, naming the field, and stores and creates nothing', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['set', 'neo4j', '--full=0 25 * * *', '--location=made-by-mistake'], 2, /full: "0 25 \* \* \*" is not a valid cron expression.*hour/],
      [['set', 'neo4j', '--diff=* * * *', '--location=made-by-mistake'], 2, /diff: "\* \* \* \*" is not a cron expression/],
      [['set', 'neo4j', '--full=0 2 * * *', '--tz=Mars/Olympus', '--location=made-by-mistake'], 2, /tz: "Mars\/Olympus" is not a time zone/],
      [['set', 'neo4j', '--location=made-by-mistake'], 2, /give --full, --diff, or both/],
      [['set', '../etc', '--full=0 2 * * *', '--location=made-by-mistake'], 2, /database: "\.\.\/etc" is not a database name or glob/],
      [['set', 'neo4j', '--full=0 2 * * *'], 2, /--location/],
      [['set', 'neo4j', '--full=0 2 * * *', '--location=s3://KEY:SECRET@bucket/x'], 2, /location: the s3:\/\/ location is not a valid S3 location .*credentials or a port do not belong in the URL/],
      [['set', 'neo4j', '--full=0 2 * * *', '--location=ftp://host/x'], 2, /location: ftp:\/\/ locations are not supported/],
      [['set', 'neo4j', '--full=0 2 * * *', '--location=s3://Bad_Bucket/x'], 2, /location: .* is not a bucket name/],
      [['set', 'neo4j', '--full=0 2 * * *', '--cluster=nope', '--location=made-by-mistake'], 1, /no cluster named "nope" \(known: embedded, far\)/],
      [['remove', 'neo4j'], 1, /no schedule for "neo4j"/],
    ];
    const results = await Promise.all(cases.map(([args]) => txline(...args)));
    cases.forEach(([args, code, message], i) => {
      expect({ args, code: results[i].code }).toEqual({ args, code });
      expect(results[i].stderr).toMatch(message);
      expect(results[i].stderr).not.toContain('SECRET');
    });
    expect(fs.existsSync(path.join(dir, 'made-by-mistake'))).toBe(false);
    const db = openCatalog(catalog());
    expect(listSchedules(db)).toHaveLength(1);
    db.$client.close();
  });

  it('takes an s3://bucket/prefix location: registered once by its canonical URL, no warning about the backup roots', async () => {
    const r = await txline('set', 'orders', '--full=0 3 * * *', '--location=s3://offsite-backups/prod/orders/');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created the schedule of "orders" on embedded: into s3://offsite-backups/prod/orders (registered as the backup folder "offsite-backups-prod-orders")');
    const again = await txline('set', 'orders', '--diff=0 * * * *', '--location=s3://offsite-backups/prod/orders');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('registered');
    const list = JSON.parse((await txline('list', '--json')).stdout) as Array<{ database: string; location: string }>;
    expect(list.find((x) => x.database === 'orders')?.location).toBe('s3://offsite-backups/prod/orders');
    const db = openCatalog(catalog());
    expect(listFolders(db).filter((f) => f.path.startsWith('s3://')).map((f) => f.path)).toEqual(['s3://offsite-backups/prod/orders']);
    db.$client.close();
    expect((await txline('remove', 'orders')).code).toBe(0);
  });

  it('--drill-to chooses the cluster the drills of a database restore into; a glob or a Neo4j cluster is refused, storing nothing', async () => {
    const db = openCatalog(catalog());
    addNeo4jCluster(db, { name: 'graphs', address: '127.0.0.1:1', uri: 'neo4j://127.0.0.1:1', user: 'neo4j', passwordSealed: 'x', neo4jAdmin: 'neo4j-admin', backupFrom: null, location: path.join(dir, 'graphs-location') });
    const embedded = getClusterByName(db, { name: 'embedded' });
    const far = getClusterByName(db, { name: 'far' });
    const target = () => getDrillTarget(db, { clusterId: embedded?.id ?? 0, database: 'shop' });
    const glob = await txline('set', 's*', '--diff=0 * * * *', '--location=data/backups', '--drill-to=far');
    expect({ code: glob.code, stderr: glob.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/--drill-to: a drill target is chosen per database; "s\*" is a glob/) });
    const neo = await txline('set', 'shop', '--diff=0 * * * *', '--location=data/backups', '--drill-to=graphs');
    expect({ code: neo.code, stderr: neo.stderr }).toMatchObject({ code: 1, stderr: expect.stringMatching(/--drill-to: graphs is a Neo4j cluster: .*seedURI/) });
    expect(listSchedules(db).some((s) => s.databaseGlob === 's*' || s.databaseGlob === 'shop')).toBe(false);
    expect(target()).toBeNull();
    const set = await txline('set', 'shop', '--diff=0 * * * *', '--location=data/backups', '--drill-to=far');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('drills of shop restore into cluster far');
    expect(target()?.targetClusterId).toBe(far?.id);
    const kept = await txline('set', 'shop', '--diff=0 * * * *', '--location=data/backups', '--drill=off');
    expect(kept.stdout).toContain('drills of shop restore into cluster far');
    const own = await txline('set', 'shop', '--diff=0 * * * *', '--location=data/backups', '--drill-to=own');
    expect(own.stdout).toContain('drills of shop restore into its own cluster embedded');
    expect(target()).toBeNull();
    db.$client.close();
  });

  it('warns when the location is outside the backup roots (the server will refuse it)', async () => {
    const r = await txline('set', 'neo4j', '--diff=0 * * * *', `--location=${path.join(dir, 'outside')}`);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*outside is outside the backup roots/);
  });
});

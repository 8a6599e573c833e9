/**
 * The capture kit (scripts/neo4j-capture.mjs) against the embedded members' Bolt server and the stand-in
 * neo4j-admin: the files it writes are the golden files' shapes (the parsers read each one), and no secret is in
 * any of them. Also its redaction and its refusal of arguments, on their own.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NEO4J_VERSION } from '../../lib/cluster/bolt/member-backend';
import { parseBackupLogLine, summarizeBackupLog } from '../../lib/sources/neo4j/backup-log';
import { parseInspectTabular } from '../../lib/sources/neo4j/inspect';
import { parseTopology } from '../../lib/sources/neo4j/topology';
import { parseComponents } from '../../lib/sources/neo4j/version';
import { parseFixtureRows } from '../fixtures/neo4j/load';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { writeTx } from '../helpers/engine';
// @ts-expect-error -- a plain ESM script without types
import { redactor } from '../../scripts/neo4j-capture.mjs';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/neo4j-capture.mjs');
const STANDIN = path.resolve(import.meta.dirname, '../fixtures/neo4j-admin/neo4j-admin.mjs');
const folders = tempFolders('neo4j-capture');
let cluster: TestCluster;
let password: string;
let work: string;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2 });
  await writeTx(cluster.writer, 'neo4j', 3);
  password = fs.readFileSync(path.join(cluster.dir, 'bolt-password'), 'utf8').trim();
  work = folders.folder('work');
  fs.writeFileSync(path.join(work, 'pw'), `${password}\n`, { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  folders.removeAll();
});

function capture(args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json') } });
}

describe('scripts/neo4j-capture.mjs', () => {
  it('records components, servers, databases, a verbose backup log and both inspect formats, readable by the parsers, with no secret', async () => {
    const out = path.join(work, 'out');
    const bolt = (await cluster.writer.status()).member.boltAddress;
    const r = capture([
      `--uri=neo4j://${bolt}`,
      '--user=neo4j',
      `--password-file=${path.join(work, 'pw')}`,
      `--neo4j-admin=${STANDIN}`,
      `--to-path=${path.join(work, 'backups')}`,
      `--backup-from=${cluster.addresses.join(',')}`,
      `--out=${out}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const v = DEFAULT_NEO4J_VERSION;
    const files = fs.readdirSync(out).sort();
    expect(files).toEqual(
      [`backup-log-${v}-verbose.txt`, 'capture.md', `components-${v}.json`, `inspect-${v}-json.txt`, `inspect-${v}-tabular.txt`, `show-databases-${v}-yield-star.json`, `show-servers-${v}-yield-star.json`].sort(),
    );
    const read = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
    for (const f of files) expect(read(f), f).not.toContain(password);
    for (const f of files) expect(fs.statSync(path.join(out, f)).mode & 0o077, f).toBe(0);

    expect(parseComponents(parseFixtureRows(read(`components-${v}.json`))).version.text).toBe(v);
    const t = parseTopology({ servers: parseFixtureRows(read(`show-servers-${v}-yield-star.json`)), databases: parseFixtureRows(read(`show-databases-${v}-yield-star.json`)) });
    expect(t.servers).toHaveLength(2);
    expect(t.databases.filter((d) => d.name === 'neo4j').map((d) => d.lastCommittedTxn)).toHaveLength(2);
    const log = summarizeBackupLog(
      read(`backup-log-${v}-verbose.txt`)
        .split('\n')
        .map(parseBackupLogLine)
        .filter((e) => e !== null),
    );
    expect(JSON.stringify(log)).toContain('neo4j');
    expect(read(`backup-log-${v}-verbose.txt`)).toMatch(/^\$ neo4j-admin database backup --verbose /);
    const listed = parseInspectTabular(read(`inspect-${v}-tabular.txt`));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ database: 'neo4j', full: true });
    expect(JSON.parse(read(`inspect-${v}-json.txt`))).toHaveLength(1);
    expect(read('capture.md')).toContain(`Neo4j version (dbms.components): ${v}`);
  }, 120_000);

  it('a wrong password is reported without writing a file or printing the password', () => {
    fs.writeFileSync(path.join(work, 'bad'), 'not-the-password-123\n', { mode: 0o600 });
    const out = path.join(work, 'out-bad');
    const bolt = cluster.sup.member('member-1').boltAddress;
    const r = capture([`--uri=bolt://${bolt}`, '--user=neo4j', `--password-file=${path.join(work, 'bad')}`, `--neo4j-admin=${STANDIN}`, `--to-path=${path.join(work, 'b2')}`, `--out=${out}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Unauthorized|authentication/i);
    expect(r.stderr + r.stdout).not.toContain('not-the-password-123');
    expect(fs.readdirSync(out)).toEqual([]);
  }, 60_000);

  it('refuses arguments it does not know, a value that is not --name=value, and a URI that is not Bolt', () => {
    expect(capture(['--uri', 'neo4j://x:7687']).stderr).toMatch(/unexpected argument|needs a value/);
    expect(capture(['--password=x']).stderr).toMatch(/unknown option --password/);
    const r = capture(['--uri=http://x', '--user=u', '--password-file=/nonexistent', '--neo4j-admin=/x', '--to-path=/tmp/x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--uri must be/);
  });

  it('redacts the password, URI user-info, key=value secrets, and hosts when asked', () => {
    const redact = redactor({ password: 's3cr3t-pw', hosts: ['db1.example.com'] }) as (t: string) => string;
    expect(redact('login s3cr3t-pw at neo4j://bob:hunter2@db1.example.com:7687 token=abc password: "x y" s3://AKIA:zzz@bucket/p')).toBe(
      'login <redacted> at neo4j://<redacted>@host1:7687 token=<redacted> password: <redacted> s3://<redacted>@bucket/p',
    );
  });
});

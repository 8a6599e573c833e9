/**
 * Which token goes to which address (token.ts), on real files in a temporary folder: the environment's tokens
 * go only to their own cluster's addresses, a registered cluster's own token wins, a process's token goes to
 * the addresses it was set for and to the peers one of them lists; and the token file is written safely.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { catalogClusterToken, clusterTokenFor, ensureTokenFile, environmentTokenFor, resetClusterToken, setClusterToken, trustPeers } from './token';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-token-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const FILE_TOKEN = 'file-token-0123456789abcdef';
const ENV_TOKEN = 'env-token-0123456789abcdef';
const OWN_TOKEN = 'own-token-0123456789abcdef';

/** A cluster folder as `txline cluster start` leaves it: cluster.json (two members, a control API) and the token file. */
function clusterFolder(): string {
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 'cluster.json'),
    JSON.stringify({ writer: 'member-1', control: '127.0.0.1:7000', startedAt: '', members: [{ id: 'member-1', address: '127.0.0.1:6362' }, { id: 'member-2', address: 'LocalHost:6372' }] }),
  );
  ensureTokenFile(dir, FILE_TOKEN);
  return path.join(dir, 'cluster.json');
}

describe('the environment sends its tokens to their own cluster only', () => {
  const clusterFile = clusterFolder();
  const table: Array<[string, Record<string, string>, Record<string, string | null>]> = [
    [
      'the token file: to cluster.json\'s members and control API',
      { TXLINE_CLUSTER_FILE: clusterFile },
      { '127.0.0.1:6362': FILE_TOKEN, 'localhost:6372': FILE_TOKEN, '127.0.0.1:7000': FILE_TOKEN, '127.0.0.1:6363': null, '10.0.0.1:6362': null, 'evil.example:6362': null },
    ],
    [
      'TXLINE_CLUSTER_TOKEN without addresses: it is cluster.json\'s cluster\'s token',
      { TXLINE_CLUSTER_FILE: clusterFile, TXLINE_CLUSTER_TOKEN: ENV_TOKEN },
      { '127.0.0.1:6362': ENV_TOKEN, '127.0.0.1:7000': ENV_TOKEN, '10.0.0.1:6362': null },
    ],
    [
      'TXLINE_CLUSTER_TOKEN with TXLINE_CLUSTER_ADDRESSES: to those; the file\'s to cluster.json\'s',
      { TXLINE_CLUSTER_FILE: clusterFile, TXLINE_CLUSTER_TOKEN: ENV_TOKEN, TXLINE_CLUSTER_ADDRESSES: '10.0.0.1:6362,10.0.0.2:6362' },
      { '10.0.0.1:6362': ENV_TOKEN, '10.0.0.2:6362': ENV_TOKEN, '127.0.0.1:6362': FILE_TOKEN, '10.0.0.3:6362': null },
    ],
    [
      'TXLINE_CLUSTER_ADDRESSES without a token: the file\'s never goes to them',
      { TXLINE_CLUSTER_FILE: clusterFile, TXLINE_CLUSTER_ADDRESSES: '10.0.0.1:6362' },
      { '10.0.0.1:6362': null, '127.0.0.1:6362': FILE_TOKEN },
    ],
    [
      'no cluster.json: TXLINE_CLUSTER_TOKEN goes to the default address only',
      { TXLINE_CLUSTER_FILE: path.join(tempDir(), 'cluster.json'), TXLINE_CLUSTER_TOKEN: ENV_TOKEN },
      { '127.0.0.1:6362': ENV_TOKEN, '127.0.0.1:6372': null },
    ],
  ];
  it.each(table)('%s', (_what, vars, expected) => {
    const e = parseEnv(vars);
    const got = Object.fromEntries(Object.keys(expected).map((a) => [a, environmentTokenFor(a, e)]));
    expect(got).toEqual(expected);
  });

  it("a registered cluster gets its own token, else the environment's only where every member would get it", () => {
    const e = parseEnv({ TXLINE_CLUSTER_FILE: clusterFile });
    expect(catalogClusterToken({ addresses: ['10.0.0.1:6362'], token: OWN_TOKEN }, e)).toBe(OWN_TOKEN);
    expect(catalogClusterToken({ addresses: ['127.0.0.1:6362'], token: OWN_TOKEN }, e)).toBe(OWN_TOKEN);
    expect(catalogClusterToken({ addresses: ['10.0.0.1:6362'], token: null }, e)).toBeNull();
    expect(catalogClusterToken({ addresses: ['127.0.0.1:6362', 'localhost:6372'], token: null }, e)).toBe(FILE_TOKEN);
    // one member of the embedded cluster and a foreign host: none for any (a job sends one token to all)
    expect(catalogClusterToken({ addresses: ['127.0.0.1:6362', '10.0.0.1:6362'], token: null }, e)).toBeNull();
    expect(catalogClusterToken({ addresses: [], token: null }, e)).toBeNull();
  });
});

describe("a process's own token", () => {
  afterEach(() => resetClusterToken());

  it('goes to the addresses it was set for, and to the peers one of them lists', () => {
    setClusterToken(OWN_TOKEN, ['127.0.0.1:6362', '127.0.0.1:6372']);
    expect(clusterTokenFor('127.0.0.1:6362')).toBe(OWN_TOKEN);
    expect(clusterTokenFor('127.0.0.1:6382')).toBeNull();
    // a stranger's list adds nobody
    trustPeers('127.0.0.1:9999', ['127.0.0.1:6382']);
    expect(clusterTokenFor('127.0.0.1:6382')).toBeNull();
    // a member's does
    trustPeers('127.0.0.1:6372', ['127.0.0.1:6362', '127.0.0.1:6382']);
    expect(clusterTokenFor('127.0.0.1:6382')).toBe(OWN_TOKEN);
    // setting it again starts over
    setClusterToken(ENV_TOKEN, ['127.0.0.1:6362']);
    expect(clusterTokenFor('127.0.0.1:6382')).toBeNull();
    expect(clusterTokenFor('127.0.0.1:6362')).toBe(ENV_TOKEN);
  });
});

describe('the token file', () => {
  it('is written 0600 under a fresh name, leaving nothing beside it; a symlink in its place is refused', () => {
    const dir = tempDir();
    const token = ensureTokenFile(dir);
    expect(fs.readdirSync(dir)).toEqual(['token']);
    expect(fs.statSync(path.join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(ensureTokenFile(dir)).toBe(token);
    ensureTokenFile(dir, FILE_TOKEN);
    expect(fs.readdirSync(dir)).toEqual(['token']);
    expect(fs.readFileSync(path.join(dir, 'token'), 'utf8')).toBe(`${FILE_TOKEN}\n`);

    const other = tempDir();
    const target = path.join(other, 'elsewhere');
    fs.writeFileSync(target, `${FILE_TOKEN}\n`, { mode: 0o644 });
    const linked = tempDir();
    fs.symlinkSync(target, path.join(linked, 'token'));
    for (const given of [undefined, ENV_TOKEN]) {
      expect(() => ensureTokenFile(linked, given)).toThrow(/is not a regular file \(a symlink\?\)/);
    }
    // neither followed nor replaced
    expect(fs.lstatSync(path.join(linked, 'token')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe(`${FILE_TOKEN}\n`);
    expect(fs.statSync(target).mode & 0o777).toBe(0o644);
  });
});

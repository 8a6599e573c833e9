import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTxlineError } from './errors';
import { envVars, localStoreCopy, logLevel, parseEnv, storeLeaseTtlMs } from './env';

const cwd = '/srv/txline';

describe('parseEnv', () => {
  it('derives every path from the data folder by default', () => {
    expect(parseEnv({}, cwd)).toEqual({
      dataDir: '/srv/txline/data',
      clusterFile: '/srv/txline/data/cluster/cluster.json',
      clusterAddresses: null,
      clusterToken: undefined,
      backupDir: '/srv/txline/data/backups',
      catalog: '/srv/txline/data/txline.sqlite',
      backupRoots: ['/srv/txline/data/backups'],
      adminPassword: undefined,
      metricsToken: undefined,
      collectIntervalMs: 1000,
      trustedProxies: [],
      logLevel: 'info',
      alertIntervalMs: 30_000,
      publicUrl: null,
      neo4jAdmins: [],
    });
  });

  it('reads TXLINE_ALERT_MS and TXLINE_PUBLIC_URL, refusing bad values with a message naming the variable', () => {
    expect(parseEnv({ TXLINE_ALERT_MS: '250', TXLINE_PUBLIC_URL: 'https://txline.example.com/' }, cwd)).toMatchObject({ alertIntervalMs: 250, publicUrl: 'https://txline.example.com' });
    expect(() => parseEnv({ TXLINE_ALERT_MS: '50' }, cwd)).toThrow(/TXLINE_ALERT_MS/);
    expect(() => parseEnv({ TXLINE_PUBLIC_URL: 'javascript:alert(1)' }, cwd)).toThrow(/TXLINE_PUBLIC_URL/);
  });

  it('reads TXLINE_SCHEDULED_JOBS as a whole number from 1 to 64, and refuses others naming the variable', () => {
    expect(parseEnv({ TXLINE_SCHEDULED_JOBS: '2' }, cwd).scheduledJobs).toBe(2);
    expect(parseEnv({}, cwd).scheduledJobs).toBeUndefined();
    for (const bad of ['0', '65', '1.5', 'four', '-1']) expect(() => parseEnv({ TXLINE_SCHEDULED_JOBS: bad }, cwd)).toThrow(/TXLINE_SCHEDULED_JOBS: expected a whole number of jobs from 1 to 64/);
  });

  it('reads TXLINE_NEO4J_ADMINS as absolute paths, and refuses a relative one naming the variable', () => {
    expect(parseEnv({ TXLINE_NEO4J_ADMINS: '/opt/neo4j/bin/neo4j-admin, /opt/n2/../n3/neo4j-admin' }, cwd).neo4jAdmins).toEqual(['/opt/neo4j/bin/neo4j-admin', '/opt/n3/neo4j-admin']);
    expect(() => parseEnv({ TXLINE_NEO4J_ADMINS: 'bin/neo4j-admin' }, cwd)).toThrow(/TXLINE_NEO4J_ADMINS: .*"bin\/neo4j-admin" is not absolute/);
  });

  it('reads TXLINE_LOCAL_STORE_COPY (on/off) and TXLINE_STORE_LEASE_TTL_MS, refusing bad values with a message naming the variable', () => {
    expect([localStoreCopy({}), localStoreCopy({ TXLINE_LOCAL_STORE_COPY: 'OFF ' }), localStoreCopy({ TXLINE_LOCAL_STORE_COPY: 'on' })]).toEqual([true, false, true]);
    expect(() => localStoreCopy({ TXLINE_LOCAL_STORE_COPY: 'no' })).toThrow(/TXLINE_LOCAL_STORE_COPY: expected on or off, but got "no"/);
    expect([storeLeaseTtlMs({}), storeLeaseTtlMs({ TXLINE_STORE_LEASE_TTL_MS: '1500' })]).toEqual([30_000, 1500]);
    for (const bad of ['999', '3600001', '1e4', '-5', '10s']) {
      expect(() => storeLeaseTtlMs({ TXLINE_STORE_LEASE_TTL_MS: bad }), bad).toThrow(/TXLINE_STORE_LEASE_TTL_MS: expected a whole number of milliseconds from 1000 to 3600000/);
    }
    expect(() => parseEnv({ TXLINE_STORE_LEASE_TTL_MS: 'x' }, cwd)).toThrow(/TXLINE_STORE_LEASE_TTL_MS/);
  });

  it('reads TXLINE_LOG_LEVEL, and refuses a level pino does not have with a message naming the variable', () => {
    expect(parseEnv({ TXLINE_LOG_LEVEL: 'debug' }, cwd).logLevel).toBe('debug');
    expect(parseEnv({ TXLINE_LOG_LEVEL: ' WARN ' }, cwd).logLevel).toBe('warn');
    expect(logLevel({})).toBe('info');
    expect(logLevel({ TXLINE_LOG_LEVEL: 'silent' })).toBe('silent');
    for (const bad of ['loud', 'verbose', '30']) {
      const message = `Invalid environment: TXLINE_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, but got "${bad}"`;
      expect(() => parseEnv({ TXLINE_LOG_LEVEL: bad }, cwd)).toThrow(message);
      expect(() => logLevel({ TXLINE_LOG_LEVEL: bad })).toThrow(message);
      const err = (() => {
        try {
          logLevel({ TXLINE_LOG_LEVEL: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(isTxlineError(err, 'INVALID_ARGUMENT') && err.exitCode).toBe(2);
    }
    // the loggers' own check looks at this variable alone
    expect(logLevel({ TXLINE_LOG_LEVEL: 'info', TXLINE_COLLECT_MS: 'abc' })).toBe('info');
  });

  it('reads the collector interval, and refuses one that is not a whole number of at least 100 ms', () => {
    expect(parseEnv({ TXLINE_COLLECT_MS: '250' }, cwd).collectIntervalMs).toBe(250);
    for (const bad of ['0', '99', 'abc', '1.5', '-1000']) {
      expect(() => parseEnv({ TXLINE_COLLECT_MS: bad }, cwd)).toThrow(/TXLINE_COLLECT_MS: expected a whole number of milliseconds, at least 100/);
    }
  });

  it('reads the backup roots, and refuses an admin password or metrics token that is too short', () => {
    expect(parseEnv({ TXLINE_BACKUP_ROOTS: '/a, /b/c' }, cwd).backupRoots).toEqual(['/a', '/b/c']);
    expect(() => parseEnv({ TXLINE_ADMIN_PASSWORD: 'short' }, cwd)).toThrow(/TXLINE_ADMIN_PASSWORD: must be at least 10 characters/);
    expect(() => parseEnv({ TXLINE_METRICS_TOKEN: 'short' }, cwd)).toThrow(/TXLINE_METRICS_TOKEN/);
  });

  it('reads the cluster token, and refuses one that is short or cannot be sent in a header', () => {
    expect(parseEnv({ TXLINE_CLUSTER_TOKEN: ' 0123456789abcdef-_~ ' }, cwd).clusterToken).toBe('0123456789abcdef-_~');
    expect(parseEnv({ TXLINE_CLUSTER_TOKEN: ' ' }, cwd).clusterToken).toBeUndefined();
    for (const bad of ['short', '0123456789 abcdef', '0123456789abcdef\u00e9', 'x'.repeat(1025)]) {
      expect(() => parseEnv({ TXLINE_CLUSTER_TOKEN: bad }, cwd)).toThrow(/^Invalid environment: TXLINE_CLUSTER_TOKEN: must be 16 to 1024 printable characters without spaces/);
    }
  });

  it('follows TXLINE_DATA_DIR and lets each path be set on its own', () => {
    const e = parseEnv({ TXLINE_DATA_DIR: '/var/lib/txline', TXLINE_CATALOG: 'cat.sqlite', TXLINE_BACKUP_DIR: ' /backups ' }, cwd);
    expect(e.clusterFile).toBe('/var/lib/txline/cluster/cluster.json');
    expect(e.catalog).toBe(path.join(cwd, 'cat.sqlite'));
    expect(e.backupDir).toBe('/backups');
  });

  it('treats empty variables as unset', () => {
    expect(parseEnv({ TXLINE_DATA_DIR: '', TXLINE_CLUSTER_ADDRESSES: '  ' }, cwd)).toMatchObject({ dataDir: '/srv/txline/data', clusterAddresses: null });
  });

  it('reads a list of cluster addresses', () => {
    expect(parseEnv({ TXLINE_CLUSTER_ADDRESSES: '127.0.0.1:7687, localhost:7688,[::1]:7689,127.0.0.1:7687' }, cwd).clusterAddresses).toEqual([
      '127.0.0.1:7687',
      'localhost:7688',
      '[::1]:7689',
    ]);
  });

  it.each([
    ['localhost', '"localhost" is not host:port'],
    ['127.0.0.1:99999', '"127.0.0.1:99999" is not host:port'],
    ['127.0.0.1:6362,,127.0.0.1:6372', 'an entry is empty'],
    ['http://127.0.0.1:6362', '"http://127.0.0.1:6362" is not host:port'],
  ])('rejects TXLINE_CLUSTER_ADDRESSES=%s with a message naming the variable', (value, detail) => {
    expect(() => parseEnv({ TXLINE_CLUSTER_ADDRESSES: value }, cwd)).toThrow(/^Invalid environment: TXLINE_CLUSTER_ADDRESSES: expected a comma-separated list/);
    expect(() => parseEnv({ TXLINE_CLUSTER_ADDRESSES: value }, cwd)).toThrow(detail);
  });

  it('gives a child process the same configuration', () => {
    const e = parseEnv({ TXLINE_DATA_DIR: 'd', TXLINE_CLUSTER_ADDRESSES: '127.0.0.1:1' }, cwd);
    expect(parseEnv(envVars(e), '/elsewhere')).toEqual(e);
  });
});

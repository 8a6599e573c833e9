/**
 * SHOW SERVERS / SHOW DATABASES rows (golden transcripts, tests/fixtures/neo4j) into the kind's topology and the
 * dashboard's report: documented columns read, unknown ones ignored, missing ones null, never guessed.
 */
import { int } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { fixtureRows } from '../../../tests/fixtures/neo4j/load';
import type { ClusterSource } from '../report';
import { parseShowDatabases, parseShowServers, parseTopology, toClusterReport } from './topology';

const source: ClusterSource = { kind: 'addresses', addresses: ['localhost:7687'] };
const checkedAt = '2026-12-06T08:00:00.000Z';

describe('SHOW SERVERS YIELD *', () => {
  it('reads every documented column of the 5.x example', () => {
    const servers = parseShowServers(fixtureRows('show-servers-5.x-yield-star.json'));
    expect(servers).toHaveLength(3);
    expect(servers[2]).toEqual({
      serverId: '72bd3d0f-c1d1-4d39-9da7-015f5656e40b',
      name: 'server3',
      address: 'localhost:7683',
      state: 'Enabled',
      health: 'Available',
      hosting: ['system', 'neo4j'],
      requestedHosting: ['system', 'neo4j'],
      modeConstraint: 'NONE',
      version: '5.0.0-SNAPSHOT',
    });
  });

  it('leaves the columns a plain SHOW SERVERS lacks unknown', () => {
    const problems: string[] = [];
    const [s] = parseShowServers(fixtureRows('show-servers-5.x-default-columns.json'), problems);
    expect(s).toMatchObject({ serverId: null, name: 'f4ae1895-26f1-4b93-bd31-6f482be80d3d', requestedHosting: null, modeConstraint: null, version: null });
    expect(problems).toEqual([]);
  });
});

describe('SHOW DATABASES YIELD *', () => {
  it('reads the 2026.08 example with neo4j Integers and times, ignoring the columns it does not use', () => {
    const problems: string[] = [];
    const [movies] = parseShowDatabases(fixtureRows('show-databases-2026.08-yield-star-movies.json'), problems);
    expect(movies).toEqual({
      name: 'movies',
      type: 'standard',
      aliases: ['films', 'motion pictures'],
      access: 'read-write',
      databaseID: 'C066801F54B44EA1520F0FE392B4005AABF42D8DD0A5FD09969B955575D287D5',
      serverID: 'e3063985-e2f4-4728-824b-a7d53779667a',
      address: 'localhost:7687',
      role: 'primary',
      writer: true,
      requestedStatus: 'online',
      currentStatus: 'online',
      statusMessage: '',
      default: false,
      home: false,
      store: 'record-aligned-1.1',
      lastCommittedTxn: 3,
      replicationLag: 0,
      lastStartTime: expect.stringMatching(/^2023-08-14T\d{2}:\d{2}:29\.074/),
    });
    expect(problems).toEqual([]);
  });

  it('keeps NULL lag and position of a copy on an offline server as unknown, and reads a negative lag', () => {
    const problems: string[] = [];
    const copies = parseShowDatabases(fixtureRows('show-databases-yield-star-offline-server.json'), problems);
    expect(copies.map((c) => [c.serverID?.slice(0, 8), c.lastCommittedTxn, c.replicationLag, c.currentStatus, c.address])).toEqual([
      ['f4ae1895', 2342, 0, 'online', 'localhost:7681'],
      ['ffa55a5b', 2337, -5, 'online', 'localhost:7682'],
      ['72bd3d0f', null, null, 'unknown', null],
    ]);
    expect(copies[2]).toMatchObject({ databaseID: null, store: null, statusMessage: 'Server is unavailable', role: 'unknown' });
    expect(problems).toEqual([]);
  });

  it('has no lag or position where the rows have no such columns (SHOW DATABASES without YIELD *)', () => {
    const copies = parseShowDatabases(fixtureRows('show-databases-5.x-cluster-default-columns.json'));
    expect(copies).toHaveLength(10);
    for (const c of copies) expect([c.lastCommittedTxn, c.replicationLag, c.databaseID, c.serverID]).toEqual([null, null, null, null]);
  });

  it('shows a deallocating copy as online (the manual: still online until its role moves), every other state as offline', () => {
    const rows = ['online', 'deallocating', 'starting', 'store copying', 'dirty', 'quarantined', 'unknown', 'mixed'].map((currentStatus) => ({ name: 'x', serverID: 's1', currentStatus }));
    const r = toClusterReport(parseTopology({ servers: null, databases: rows }), { source, checkedAt });
    expect(r.members[0].databases.map((d) => `${d.currentStatus}:${d.status}`)).toEqual([
      'online:online',
      'deallocating:online',
      'starting:offline',
      'store copying:offline',
      'dirty:offline',
      'quarantined:offline',
      'unknown:offline',
      'mixed:offline',
    ]);
  });

  it('accepts numbers and bigints, and calls a value of the wrong type unknown, saying so', () => {
    const problems: string[] = [];
    const rows = [
      { name: 'a', lastCommittedTxn: 12, replicationLag: -1n },
      { name: 'b', lastCommittedTxn: int('9007199254740993'), replicationLag: '0', writer: 'yes' },
      { name: 'c', lastCommittedTxn: 1.5 },
      { lastCommittedTxn: 3 },
    ];
    const copies = parseShowDatabases(rows, problems);
    expect(copies.map((c) => [c.name, c.lastCommittedTxn, c.replicationLag, c.writer])).toEqual([
      ['a', 12, -1, null],
      ['b', null, null, null],
      ['c', null, null, null],
    ]);
    expect(problems).toEqual([
      'SHOW DATABASES row 2: writer is not a boolean ("yes"); shown as unknown',
      'SHOW DATABASES row 2: lastCommittedTxn is not an integer a number holds exactly (9007199254740993); shown as unknown',
      'SHOW DATABASES row 2: replicationLag is not an integer a number holds exactly ("0"); shown as unknown',
      'SHOW DATABASES row 3: lastCommittedTxn is not an integer a number holds exactly (1.5); shown as unknown',
      'SHOW DATABASES row 4: it has no database name; skipped',
    ]);
  });
});

describe('the report for the dashboard', () => {
  it('gives one member per server with its copies, roles from role + writer, and the offline server unreachable', () => {
    const t = parseTopology({
      servers: fixtureRows('show-servers-yield-star-offline-server.json'),
      databases: fixtureRows('show-databases-yield-star-offline-server.json'),
    });
    const r = toClusterReport(t, { source, checkedAt });
    expect(r.problem).toBeNull();
    expect(r.members.map((m) => [m.id, m.address, m.reachable, m.mode, m.health])).toEqual([
      ['server1', 'localhost:7681', true, null, 'Available'],
      ['server2', 'localhost:7682', true, null, 'Available'],
      ['server3', 'localhost:7683', false, 'secondary', 'Unavailable'],
    ]);
    expect(r.members[1].databases).toEqual([
      {
        name: 'neo4j',
        databaseId: '7DCB1D0C43744476B8AED3C3F124683F',
        storeId: null,
        role: 'follower',
        status: 'online',
        lastCommittedTxn: 2337,
        lowestAvailableTxn: null,
        replicationLag: -5,
        lastCommitTime: null,
        currentStatus: 'online',
        statusMessage: '',
      },
    ]);
    expect(r.members[0].databases[0]).toMatchObject({ role: 'writer', replicationLag: 0 });
    expect(r.members[2].databases[0]).toMatchObject({ role: null, status: 'offline', lastCommittedTxn: null, replicationLag: null, currentStatus: 'unknown' });
    expect(r.members[2].error).toBe('SHOW SERVERS reports this server as Unavailable');
  });

  it('without SHOW SERVERS, lists the servers SHOW DATABASES names and says what is missing', () => {
    const t = parseTopology({ servers: null, serversError: 'Permission denied', databases: fixtureRows('show-databases-5.x-foo-dirty.json') });
    const r = toClusterReport(t, { source, checkedAt });
    expect(r.problem).toMatch(/^SHOW SERVERS could not be run \(Permission denied\): servers are listed from SHOW DATABASES only/);
    expect(r.members.map((m) => [m.id, m.reachable, m.state, m.databases[0].role, m.databases[0].currentStatus])).toEqual([
      ['localhost:7681', true, null, 'follower', 'online'],
      ['localhost:7682', true, null, null, 'dirty'],
      ['localhost:7683', true, null, 'writer', 'online'],
      ['localhost:7684', true, null, null, 'dirty'],
    ]);
  });

  it('puts system last, and the 5.x cluster example has one writer per database', () => {
    const t = parseTopology({ servers: fixtureRows('show-servers-5.x-default-columns.json'), databases: fixtureRows('show-databases-5.x-cluster-default-columns.json') });
    const r = toClusterReport(t, { source, checkedAt });
    // the default SHOW SERVERS has no serverId: copies join their server by Bolt address; 7684 is in no SHOW SERVERS row
    expect(r.members.map((m) => m.id)).toEqual(['f4ae1895-26f1-4b93-bd31-6f482be80d3d', 'ffa55a5b-2aca-45fc-be09-2a894067025c', 'localhost:7684', 'server3']);
    expect(r.members[0].databases.map((d) => `${d.name}:${d.role}`)).toEqual(['foo:writer', 'neo4j:follower', 'system:writer']);
    const writers = r.members.flatMap((m) => m.databases.filter((d) => d.role === 'writer').map((d) => d.name)).sort();
    expect(writers).toEqual(['foo', 'neo4j', 'system']);
    expect(r.members.find((m) => m.id === 'localhost:7684')?.databases.map((d) => d.role)).toEqual(['secondary', 'secondary', 'secondary']);
  });
});

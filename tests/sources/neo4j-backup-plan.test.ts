/**
 * The pure parts of a Neo4j backup run's plan: the default --from (each server's host with port 6362, from
 * SHOW SERVERS, else from SHOW DATABASES), and database globs as the cluster's names. Golden rows:
 * tests/fixtures/neo4j (PROVENANCE.md).
 */
import { describe, expect, it } from 'vitest';
import { defaultBackupFrom, expandDatabases } from '../../lib/sources/neo4j/backup-runner';
import { parseTopology } from '../../lib/sources/neo4j/topology';
import { fixtureRows } from '../fixtures/neo4j/load';

const withServers = () =>
  parseTopology({ servers: fixtureRows('show-servers-yield-star-offline-server.json'), databases: fixtureRows('show-databases-yield-star-offline-server.json') });
const withoutServers = () => parseTopology({ servers: null, serversError: 'refused', databases: fixtureRows('show-databases-yield-star-offline-server.json') });

describe('a Neo4j backup plan', () => {
  it('backs up from each server’s host with port 6362, one entry per host, servers without an address left out', () => {
    const t = withServers();
    const from = defaultBackupFrom(t);
    const hosts = new Set((t.servers ?? []).flatMap((s) => (s.address ? [s.address.replace(/:\d+$/, '')] : [])));
    expect(from.length).toBe(hosts.size);
    expect(from.length).toBeGreaterThan(0);
    for (const f of from) expect(f).toMatch(/:6362$/);
  });

  it('without SHOW SERVERS, takes the hosts SHOW DATABASES names (NULL addresses skipped)', () => {
    const t = withoutServers();
    const from = defaultBackupFrom(t);
    expect(from.length).toBeGreaterThan(0);
    expect(new Set(from).size).toBe(from.length);
    for (const f of from) expect(f).toMatch(/^[^:]+:6362$/);
  });

  it('expands globs to the cluster’s database names, keeps plain names, and refuses a glob that matches nothing', () => {
    const t = withServers();
    const names = [...new Set(t.databases.map((d) => d.name))].sort();
    expect(expandDatabases(['*'], t).sort()).toEqual(names);
    expect(names).toContain('neo4j');
    expect(expandDatabases(['n*', 'neo?j'], t)).toEqual(['neo4j']);
    expect(expandDatabases(['other'], t)).toEqual(['other']);
    // in lower case, as Neo4j keeps names and as neo4j-admin is given them (each outcome is checked by that name)
    expect(expandDatabases(['Neo4j', 'NEO*'], t)).toEqual(['neo4j']);
    expect(expandDatabases(['Other'], t)).toEqual(['other']);
    expect(() => expandDatabases(['zz*'], t)).toThrow(/no database of the cluster matches "zz\*"/);
    // a glob is a glob, not a regular expression
    expect(() => expandDatabases(['(.*)*'], t)).toThrow(/matches/);
  });
});

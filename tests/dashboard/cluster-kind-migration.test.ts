/**
 * The catalog migration that gives clusters a kind naming their protocol and a separate "started here" flag:
 * a catalog written before it (clusters 'embedded' and 'remote') opens as 'txline' clusters, the embedded one
 * started here, with nothing else lost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../lib/db';
import { listClusters } from '../../lib/db/queries/clusters';
import { projectRoot } from '../../lib/paths';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-kind-migration-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** The migrations folder as it was before the migration named `tag` (and everything after it). */
function migrationsBefore(tag: string): string {
  const src = path.join(projectRoot(), 'drizzle');
  const dst = path.join(temp, 'drizzle-before');
  fs.cpSync(src, dst, { recursive: true });
  const journalFile = path.join(dst, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(tag));
  expect(at, `a migration named *${tag} exists`).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dst;
}

describe('the cluster kind migration', () => {
  it("turns 'embedded' and 'remote' clusters into 'txline' ones, the embedded one started here", () => {
    const file = path.join(temp, 'old.sqlite');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsBefore('_cluster_kind') });
    const insert = old.prepare('INSERT INTO clusters (name, kind, addresses, control_address, token, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('embedded', 'embedded', JSON.stringify(['127.0.0.1:6362']), '127.0.0.1:6360', null, 1);
    insert.run('far', 'remote', JSON.stringify(['10.0.0.1:6362', '10.0.0.2:6362']), null, 'a-token-of-sixteen-chars', 2);
    old.close();

    const db = openCatalog(file);
    const rows = listClusters(db).map((c) => ({ name: c.name, kind: c.kind, startedHere: c.startedHere, addresses: c.addresses, controlAddress: c.controlAddress, token: c.token }));
    expect(rows).toEqual([
      { name: 'embedded', kind: 'txline', startedHere: true, addresses: ['127.0.0.1:6362'], controlAddress: '127.0.0.1:6360', token: null },
      { name: 'far', kind: 'txline', startedHere: false, addresses: ['10.0.0.1:6362', '10.0.0.2:6362'], controlAddress: null, token: 'a-token-of-sixteen-chars' },
    ]);
    db.$client.close();
  });
});

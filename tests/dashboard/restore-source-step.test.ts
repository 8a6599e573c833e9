/**
 * The restore wizard's first step as the server renders it (components/restore/source-step.tsx): a list of the
 * databases with their backup counts while they are few; past WIZARD_LIST_LIMIT a typed name with suggestions
 * found as the DBA types (lib/dashboard/restore-databases.ts findRestoreDatabases, tested on a catalog in
 * restore-databases.test.ts), so that a fleet's 5,000 names are not on the page.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SourceStep, type FindDatabases } from '@/components/restore/source-step';
import type { WizardOptions } from '@/components/restore/restore-wizard';
import type { WizardDatabase } from '@/lib/dashboard/restore-databases';
import type { RestoreValues } from '@/components/restore/wizard-model';

const folders = [{ id: 1, name: 'main', path: '/backups', isDefault: true }];
const clusters = [{ id: 1, name: 'embedded' }];
const values = (database: string): RestoreValues => ({ clusterId: '1', folderId: '1', database, point: 'latest', artifactId: '', tx: '', time: '', targetMode: 'new', newName: '', confirm: '' });
// (rendering asks nothing of the server: the search runs in an effect, once something is typed)
const find: FindDatabases = async () => ({ ok: true, matches: [], matched: 0 });
const html = (options: WizardOptions, known: WizardDatabase[], database = '') =>
  renderToStaticMarkup(createElement(SourceStep, { options, known, onFound: () => undefined, find, values: values(database), update: () => undefined, errors: {} }));

describe("the restore wizard's choice of database", () => {
  it('lists every database with its backups in the folder while they are few', () => {
    const dbs: WizardDatabase[] = [
      { name: 'neo4j', clusterId: 1, backups: { 1: 12 } },
      { name: 'old', clusterId: null, backups: { 1: 1 } },
    ];
    const m = html({ clusters, folders, databases: dbs, databaseTotal: 2, listed: true }, dbs, 'neo4j');
    expect(m).toMatch(/<select id="restore-database" name="database"/);
    expect(m).toContain('<option value="neo4j" selected="">neo4j (12 backups)</option>');
    expect(m).toContain('<option value="old">old (1 backup, not on any cluster)</option>');
    expect(m).toContain('12 backups of neo4j in this folder.');
    expect(m).not.toContain('<datalist');
  });

  it('asks for a typed name past the limit: no list of the databases on the page, only how many there are', () => {
    const m = html({ clusters, folders, databases: [], databaseTotal: 5000, listed: false }, []);
    expect(m).not.toMatch(/<select id="restore-database"/);
    expect(m).toMatch(/<input id="restore-database" type="search" list="restore-database-matches"[^>]*placeholder="Type part of a name \(5,000 databases\)"[^>]*name="database" value=""\/>/);
    expect(m).toContain('<datalist id="restore-database-matches"></datalist>');
    expect(m).toContain('5,000 databases: type part of a name, then choose one of the matches.');
    expect(m.length).toBeLessThan(4000);
  });

  it('opened for one database of a fleet: its name typed in, its backups counted', () => {
    const one: WizardDatabase[] = [{ name: 'fleet07-db042', clusterId: 1, backups: { 1: 180 } }];
    const m = html({ clusters, folders, databases: one, databaseTotal: 5000, listed: false }, one, 'fleet07-db042');
    expect(m).toMatch(/<input id="restore-database"[^>]*value="fleet07-db042"/);
    expect(m).toContain('180 backups of fleet07-db042 in this folder.');
  });

  it('says there is nothing to restore when there is no database at all', () => {
    expect(html({ clusters, folders, databases: [], databaseTotal: 0, listed: true }, [])).toContain('There is nothing to restore yet');
  });
});

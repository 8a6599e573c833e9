/**
 * The alerts page's database chooser (components/alerts/database-chooser.tsx): a list of every database up to
 * CHOOSER_OPTIONS; past that a typed name whose suggestions are only the databases with thresholds of their own,
 * so a fleet of 5,000 databases does not put 5,000 options on the page.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CHOOSER_OPTIONS, DatabaseChooser } from '@/components/alerts/database-chooser';

const names = (n: number) => Array.from({ length: n }, (_, i) => `fleet-db${String(i).padStart(4, '0')}`);
const html = (databases: string[], ownRules: string[], database = '*') => renderToStaticMarkup(createElement(DatabaseChooser, { databases, ownRules, database }));
const options = (markup: string) => markup.match(/<option /g)?.length ?? 0;

describe('the alerts database chooser', () => {
  it('lists every database, and the defaults, while there are few', () => {
    const m = html(['neo4j', 'system', 'sales'], [], 'sales');
    expect(m).toContain('<select name="database"');
    expect(options(m)).toBe(4);
    expect(m).toContain('<option value="sales" selected="">sales</option>');
    expect(m).not.toContain('<datalist');
  });

  it(`asks for a typed name past ${CHOOSER_OPTIONS}, suggesting only the databases with thresholds of their own`, () => {
    const dbs = names(5000);
    const m = html(dbs, ['*', 'fleet-db0042', 'fleet-db0007', 'fleet-db0042'], 'fleet-db0042');
    expect(m).not.toContain('<select');
    expect(m).toMatch(/<input list="alert-databases"[^>]* name="database" value="fleet-db0042"\/>/);
    expect(m).toContain('5,000 databases: type a name');
    // the defaults and the two databases with rules, once each, sorted
    expect(options(m)).toBe(3);
    expect(m).toMatch(/<option value="\*">Every database \(defaults\)<\/option><option value="fleet-db0007"><\/option><option value="fleet-db0042"><\/option><\/datalist>/);
    expect(m.length).toBeLessThan(2000);
  });

  it('switches at exactly the limit', () => {
    expect(html(names(CHOOSER_OPTIONS), [])).toContain('<select');
    expect(html(names(CHOOSER_OPTIONS + 1), [])).toContain('<datalist');
  });
});

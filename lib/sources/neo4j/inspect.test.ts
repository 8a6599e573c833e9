/**
 * `neo4j-admin backup inspect --format=TABULAR` into artifacts: the manual's tables (5.26 without RECOVERED,
 * 2025.06+ with it, 2025.09 with an extra column), and what a sloppy or hostile output does.
 */
import { describe, expect, it } from 'vitest';
import { fixtureText } from '../../../tests/fixtures/neo4j/load';
import { isTxlineError } from '../../errors';
import { parseInspectTabular } from './inspect';

describe('backup inspect TABULAR', () => {
  it('reads the 5.26 listing (no RECOVERED column): RECOVERED unknown, empty backups 0..0', () => {
    const rows = parseInspectTabular(fixtureText('inspect-5.26-show-metadata-empty.txt'));
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({
      uri: 'file:///backups/neo4j-2024-10-07T16-05-37.backup',
      path: '/backups/neo4j-2024-10-07T16-05-37.backup',
      file: 'neo4j-2024-10-07T16-05-37.backup',
      database: 'neo4j',
      databaseId: '7dcb1d0c-4374-4476-b8ae-d3c3f124683f',
      time: '2024-10-07T16:05:37Z',
      full: true,
      compressed: true,
      lowestTx: 1,
      highestTx: 3,
      recovered: null,
      extra: {},
    });
    const empty = rows.filter((r) => r.lowestTx === 0 && r.highestTx === 0).map((r) => [r.file, r.full]);
    expect(empty).toEqual([
      ['malmo-2024-10-07T16-00-50.backup', false],
      ['malmo-2024-10-07T16-00-19.backup', false],
    ]);
  });

  it('reads RECOVERED from 2025.06 on', () => {
    const rows = parseInspectTabular(fixtureText('inspect-2026.08-recovered.txt'));
    expect(rows.map((r) => [r.file.slice(0, 25), r.full, r.recovered])).toEqual([
      ['neo4j-2024-10-07T16-05-37', true, true],
      ['malmo-2024-10-07T16-01-24', true, true],
      ['malmo-2024-10-07T16-01-08', true, false],
      ['malmo-2024-10-07T16-00-50', false, false],
      ['malmo-2024-10-07T16-00-44', false, false],
      ['malmo-2024-10-07T16-00-34', false, false],
      ['malmo-2024-10-07T16-00-19', false, false],
      ['malmo-2024-10-07T16-00-07', true, true],
      ['london-2024-10-07T16-04-0', false, false],
      ['london-2024-10-07T16-03-5', true, true],
    ]);
  });

  it('keeps an unknown column (STORE ID HASH, 2025.09) aside and still finds RECOVERED after it', () => {
    const [r] = parseInspectTabular(fixtureText('inspect-2025.09-store-id-hash.txt'));
    expect(r).toMatchObject({ path: '/mnt/backups/neo4j-2025-09-10T08-14-56.backup', highestTx: 3, recovered: false, extra: { 'STORE ID HASH': '-116350002' } });
  });

  it('does not depend on widths, column order, blank lines, borders, log lines or CRLF', () => {
    const text = [
      '2026-12-06 08:00:00.000+0000 WARN  [c.n.b.Something] a notice before the table',
      '',
      '+----+',
      '|HIGHEST TX|FILE|DATABASE|DATABASE ID|TIME (UTC)|FULL|COMPRESSED|LOWEST TX|RECOVERED|',
      '',
      '|7|file:///b/x%20y/neo4j-2026-12-06T07-59-00.backup|neo4j|abc-1|2026-12-06T07:59:00|false|false|5|false|',
      '   |   9 | file:///b/neo4j-2026-12-06T08-00-00.backup |  neo4j   | abc-1 | 2026-12-06T08:00:00 | TRUE | true | 1 | true |   ',
      '+----+',
    ].join('\r\n');
    const rows = parseInspectTabular(text);
    expect(rows.map((r) => [r.path, r.lowestTx, r.highestTx, r.full, r.recovered])).toEqual([
      ['/b/x y/neo4j-2026-12-06T07-59-00.backup', 5, 7, false, false],
      ['/b/neo4j-2026-12-06T08-00-00.backup', 1, 9, true, true],
    ]);
  });

  it('reads a FILE holding "|" when FILE is the first column, and object-storage URIs', () => {
    const text = `| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED | LOWEST TX | HIGHEST TX |
| file:///b/a|b/neo4j-2026-12-06T08-00-00.backup | neo4j | id | 2026-12-06T08:00:00 | true | true | 1 | 2 |
| s3://bucket/dir/neo4j-2026-12-06T09-00-00.backup | neo4j | id | 2026-12-06T09:00:00 | false | true | 3 | 4 |`;
    const rows = parseInspectTabular(text);
    expect(rows.map((r) => [r.path, r.file])).toEqual([
      ['/b/a|b/neo4j-2026-12-06T08-00-00.backup', 'neo4j-2026-12-06T08-00-00.backup'],
      [null, 'neo4j-2026-12-06T09-00-00.backup'],
    ]);
  });

  it('is empty for empty output and for a header without rows', () => {
    expect(parseInspectTabular('')).toEqual([]);
    expect(parseInspectTabular('\n\n')).toEqual([]);
    expect(parseInspectTabular(fixtureText('inspect-5.26-latest-chain.txt').split('\n')[0])).toEqual([]);
  });

  const header = '| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED | LOWEST TX | HIGHEST TX |';
  it.each([
    ['a row with a cell too few', `${header}\n| file:///b/x.backup | neo4j | id | 2026-12-06T08:00:00 | true | true | 1 |`, /line 2: 7 cells for 8 columns/],
    ['FULL that is not a boolean', `${header}\n| file:///b/x.backup | neo4j | id | 2026-12-06T08:00:00 | yes | true | 1 | 2 |`, /line 2: FULL is "yes", not true or false/],
    ['a transaction that is not a number', `${header}\n\n| file:///b/x.backup | neo4j | id | 2026-12-06T08:00:00 | true | true | 1 | 2e9 |`, /line 3: HIGHEST TX is "2e9"/],
    ['lowest above highest', `${header}\n| file:///b/x.backup | neo4j | id | 2026-12-06T08:00:00 | true | true | 9 | 2 |`, /line 2: LOWEST TX 9 is above HIGHEST TX 2/],
    ['a bad time', `${header}\n| file:///b/x.backup | neo4j | id | yesterday | true | true | 1 | 2 |`, /line 2: TIME \(UTC\) is "yesterday"/],
    ['text inside the table', `${header}\nError: something broke`, /line 2: not a row of the table/],
    ['the 5.x listing without --show-metadata', '| FILE |\n| file:///b/x.backup |', /line 1: the header lacks DATABASE, .* only with --show-metadata/],
    ['a table of something else', '| NAME | VALUE |\n| a | b |', /line 1: a table without a FILE column/],
    ['a malformed URI', `${header}\n| s3://b/%E0%A4%A | neo4j | id | 2026-12-06T08:00:00 | true | true | 1 | 2 |`, /line 2: FILE is not a well-formed URI/],
    ['a FILE that names a folder above', `${header}\n| s3://b/x/.. | neo4j | id | 2026-12-06T08:00:00 | true | true | 1 | 2 |`, /line 2: FILE names no file/],
    ['a database name that is an option', `${header}\n| file:///b/x.backup | --to-path=/etc | id | 2026-12-06T08:00:00 | true | true | 1 | 2 |`, /DATABASE is "--to-path=\/etc"/],
  ])('refuses %s, naming the line', (_what, text, message) => {
    let err: unknown;
    try {
      parseInspectTabular(text);
    } catch (e) {
      err = e;
    }
    expect(isTxlineError(err, 'ADMIN_TOOL_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(message);
  });
});

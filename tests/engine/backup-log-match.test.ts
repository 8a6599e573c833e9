/**
 * The `--match` grammar of `txline backup log` (lib/engine/txlog-match.ts): what parses to what, what is a
 * usage error (and says why), and which transactions a match selects. Plain data, no files.
 */
import { describe, expect, it } from 'vitest';
import { isTxlineError } from '../../lib/errors';
import type { TxChanges, TxTouch } from '../../lib/engine/format';
import { matchesAll, parseMatch, type Match } from '../../lib/engine/txlog-match';

describe('parseMatch', () => {
  const ok: Array<[string, Match]> = [
    ['deleted', [{ kind: 'what', what: 'deleted' }]],
    ['deleted:Customer', [{ kind: 'what', what: 'deleted', name: 'Customer' }]],
    ['created:Order', [{ kind: 'what', what: 'created', name: 'Order' }]],
    ['changed:_x9', [{ kind: 'what', what: 'changed', name: '_x9' }]],
    ['label:Customer', [{ kind: 'label', name: 'Customer' }]],
    ['type:KNOWS', [{ kind: 'type', name: 'KNOWS' }]],
    ['node', [{ kind: 'entity', entity: 'node' }]],
    ['relationship', [{ kind: 'entity', entity: 'relationship' }]],
    ['prop:name=Alice', [{ kind: 'prop', key: 'name', value: 'Alice' }]],
    ['prop:name', [{ kind: 'prop', key: 'name' }]],
    ['prop:name=', [{ kind: 'prop', key: 'name', value: '' }]],
    ['prop:expr=a=b', [{ kind: 'prop', key: 'expr', value: 'a=b' }]],
    ['prop:name="Smith, J"', [{ kind: 'prop', key: 'name', value: 'Smith, J' }]],
    ['prop:"a,b=c"="x\\"y"', [{ kind: 'prop', key: 'a,b=c', value: 'x"y' }]],
    ['prop:näme=ünï 🙂', [{ kind: 'prop', key: 'näme', value: 'ünï 🙂' }]],
    [
      'deleted:Customer,prop:name=Alice,node',
      [
        { kind: 'what', what: 'deleted', name: 'Customer' },
        { kind: 'prop', key: 'name', value: 'Alice' },
        { kind: 'entity', entity: 'node' },
      ],
    ],
    [' deleted , label:X', [{ kind: 'what', what: 'deleted' }, { kind: 'label', name: 'X' }]],
  ];
  it.each(ok)('%s', (raw, want) => {
    expect(parseMatch(raw)).toEqual(want);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['removed:Customer', /unknown condition "removed"/],
    ['deleted:', /"" is not a label or type name/],
    ['deleted:9lives', /"9lives" is not a label or type name/],
    ['deleted:Cust-omer', /is not a label or type name/],
    ['label', /label needs a name/],
    ['type:', /is not a type name/],
    ['node:Customer', /node takes no argument/],
    ['prop', /prop needs a key/],
    ['prop:', /prop needs a key/],
    ['prop:=x', /prop needs a key/],
    ['prop:name="open', /quoted value is not closed/],
    ['prop:name="bad \\x"', /quoted value is not a JSON string/],
    ['prop:name="Smith"x', /unexpected "x"/],
    ['deleted,,label:X', /a condition is empty/],
    ['deleted,', /a condition is empty/],
  ];
  it.each(bad)('refuses %j as a usage error', (raw, why) => {
    try {
      parseMatch(raw);
      expect.unreachable();
    } catch (e) {
      expect(isTxlineError(e, 'USAGE'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(why);
      expect((e as Error).message).toContain('expected CONDITION');
    }
  });
});

describe('matchesAll', () => {
  const touch = (t: Partial<TxTouch> & Pick<TxTouch, 'entity' | 'what'>): TxTouch => ({ id: 1, labels: [], type: null, after: {}, before: {}, ...t });
  const tx = (touches: TxTouch[]): TxChanges => ({ txId: 1, commitTime: 0, beforeImages: true, touches });
  const deletedAlice = tx([
    touch({ entity: 'node', what: 'deleted', labels: ['Customer'], before: { name: 'Alice', age: 42, tags: ['a', 'vip'], ok: true } }),
    touch({ entity: 'relationship', what: 'deleted', type: 'KNOWS', before: { since: 2001 } }),
  ]);
  const renamed = tx([touch({ entity: 'node', what: 'changed', labels: ['Customer'], after: { name: 'Bob' }, before: { name: 'Alice' } })]);
  const created = tx([touch({ entity: 'node', what: 'created', labels: ['Order'], after: { total: 9.5 } })]);
  const m = (...raw: string[]) => raw.map(parseMatch);

  const table: Array<[string[], TxChanges, boolean]> = [
    [['deleted:Customer'], deletedAlice, true],
    [['deleted:KNOWS'], deletedAlice, true],
    [['deleted:Order'], deletedAlice, false],
    [['created:Order'], created, true],
    [['created:Customer'], renamed, false],
    [['changed:Customer'], renamed, true],
    [['label:Customer'], deletedAlice, true],
    [['label:KNOWS'], deletedAlice, false], // a type is not a label
    [['type:KNOWS'], deletedAlice, true],
    [['type:Customer'], deletedAlice, false],
    [['prop:name=Alice'], deletedAlice, true],
    [['prop:name=Alice'], renamed, true], // the value before
    [['prop:name=Bob'], renamed, true], // the value after
    [['prop:name=alice'], deletedAlice, false], // case matters
    [['prop:age=42'], deletedAlice, true], // a number as JSON writes it
    [['prop:age=42.0'], deletedAlice, false],
    [['prop:tags=vip'], deletedAlice, true], // an array element
    [['prop:ok=true'], deletedAlice, true],
    [['prop:total'], created, true],
    [['prop:total'], deletedAlice, false],
    // all conditions of one --match hold for one entity
    [['deleted,node,label:Customer,prop:name=Alice'], deletedAlice, true],
    [['relationship,prop:name=Alice'], deletedAlice, false],
    // every --match holds, each for some entity
    [['type:KNOWS', 'label:Customer'], deletedAlice, true],
    [['type:KNOWS', 'label:Order'], deletedAlice, false],
    [[], created, true],
  ];
  it.each(table)('%j on a transaction: %#', (raw, t, want) => {
    expect(matchesAll(t, m(...raw))).toBe(want);
  });
});

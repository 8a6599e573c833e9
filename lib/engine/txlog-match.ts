/**
 * The `--match` grammar of `txline backup log`: which transactions to list, by what they touched.
 *
 *   --match=CONDITION[,CONDITION...]   every condition holds for one entity the transaction touched
 *   (--match repeated: every one holds, each for an entity of its own)
 *
 *   created | changed | deleted          the entity was created, changed (properties or labels) or deleted
 *   created:NAME | changed:NAME | deleted:NAME
 *                                        ... and is a node labelled NAME or a relationship of type NAME
 *   label:NAME                           a node labelled NAME (before or after the transaction)
 *   type:NAME                            a relationship of type NAME
 *   node | relationship                  the kind of entity
 *   prop:KEY                             the entity had, got or lost property KEY
 *   prop:KEY=VALUE                       KEY had or got VALUE: a text equal to VALUE, a number or boolean
 *                                        written as VALUE (42, -1.5, true), or an array holding one
 *
 * NAME is a label or type name (letters, digits and underscores, not starting with a digit). KEY and VALUE
 * are plain text without ',' or '=' (KEY) or ',' (VALUE), or a JSON string in double quotes for anything else
 * (`prop:name="Smith, J"`). Labels, types, keys and values are compared exactly (case matters).
 * What a deletion touched is known from its before-image; a transaction recorded without before-images
 * (payload version 1) matches a deletion only by `deleted`, `node` and `relationship`.
 */
import { TxlineError } from '../errors';
import type { TxChanges, TxTouch } from './format';

export type Condition =
  | { kind: 'what'; what: TxTouch['what']; name?: string }
  | { kind: 'label'; name: string }
  | { kind: 'type'; name: string }
  | { kind: 'entity'; entity: TxTouch['entity'] }
  | { kind: 'prop'; key: string; value?: string };

/** One --match: conditions that hold for one entity. */
export type Match = Condition[];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const MATCH_HELP =
  'CONDITION[,CONDITION...] for one entity: created|changed|deleted[:NAME], label:NAME, type:NAME, node, relationship, prop:KEY[=VALUE] (a "JSON string" for text with commas)';

function usage(raw: string, why: string): TxlineError {
  return new TxlineError('USAGE', `--match=${raw}: ${why}; expected ${MATCH_HELP}`);
}

/** Parses one --match value; throws USAGE naming what is wrong. */
export function parseMatch(raw: string): Match {
  if (raw.trim() === '') throw usage(raw, 'empty');
  const out: Match = [];
  let i = 0;
  /** plain text up to one of `stops`, or a JSON string */
  const text = (stops: string, what: string): string => {
    if (raw[i] === '"') {
      let j = i + 1;
      while (j < raw.length && raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
      if (j >= raw.length) throw usage(raw, `the quoted ${what} is not closed`);
      let v: unknown;
      try {
        v = JSON.parse(raw.slice(i, j + 1));
      } catch {
        throw usage(raw, `the quoted ${what} is not a JSON string`);
      }
      i = j + 1;
      return v as string;
    }
    const start = i;
    while (i < raw.length && !stops.includes(raw[i])) i++;
    return raw.slice(start, i);
  };
  for (;;) {
    const start = i;
    while (i < raw.length && raw[i] !== ':' && raw[i] !== ',') i++;
    const word = raw.slice(start, i).trim();
    const hasArg = raw[i] === ':';
    if (hasArg) i++;
    const name = (what: string): string => {
      const n = text(',', what).trim();
      if (!NAME.test(n)) throw usage(raw, `"${n}" is not a ${what} (letters, digits and underscores, not starting with a digit)`);
      return n;
    };
    switch (word) {
      case 'created':
      case 'changed':
      case 'deleted':
        out.push(hasArg ? { kind: 'what', what: word, name: name('label or type name') } : { kind: 'what', what: word });
        break;
      case 'label':
      case 'type':
        if (!hasArg) throw usage(raw, `${word} needs a name (${word}:NAME)`);
        out.push({ kind: word, name: name(`${word} name`) });
        break;
      case 'node':
      case 'relationship':
        if (hasArg) throw usage(raw, `${word} takes no argument`);
        out.push({ kind: 'entity', entity: word });
        break;
      case 'prop': {
        if (!hasArg) throw usage(raw, 'prop needs a key (prop:KEY or prop:KEY=VALUE)');
        const key = text(',=', 'key');
        if (key === '') throw usage(raw, 'prop needs a key');
        if (raw[i] === '=') {
          i++;
          out.push({ kind: 'prop', key, value: text(',', 'value') });
        } else out.push({ kind: 'prop', key });
        break;
      }
      default:
        throw usage(raw, word === '' ? 'a condition is empty' : `unknown condition "${word}"`);
    }
    if (i >= raw.length) break;
    if (raw[i] !== ',') throw usage(raw, `unexpected "${raw.slice(i)}" after a condition`);
    i++;
  }
  return out;
}

/** The text a property value is compared as: a string itself, a number or boolean as JSON writes it. */
function valueTexts(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(valueTexts);
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [JSON.stringify(v)];
  return [];
}

function holds(c: Condition, t: TxTouch): boolean {
  switch (c.kind) {
    case 'what':
      return t.what === c.what && (c.name === undefined || t.labels.includes(c.name) || t.type === c.name);
    case 'label':
      return t.entity === 'node' && t.labels.includes(c.name);
    case 'type':
      return t.entity === 'relationship' && t.type === c.name;
    case 'entity':
      return t.entity === c.entity;
    case 'prop': {
      const inAfter = Object.hasOwn(t.after, c.key);
      const inBefore = Object.hasOwn(t.before, c.key);
      if (c.value === undefined) return inAfter || inBefore;
      const want = c.value;
      return (inAfter && valueTexts(t.after[c.key]).includes(want)) || (inBefore && valueTexts(t.before[c.key]).includes(want));
    }
  }
}

/** The labels, types and property keys a transaction must have touched to satisfy every match. */
export function requiredNames(matches: Match[]): string[] {
  const names = new Set<string>();
  for (const c of matches.flat()) {
    if (c.kind === 'what' && c.name !== undefined) names.add(c.name);
    if (c.kind === 'label' || c.kind === 'type') names.add(c.name);
    if (c.kind === 'prop') names.add(c.key);
  }
  return [...names];
}

/** Whether a transaction satisfies every match (each by some entity it touched). */
export function matchesAll(tx: TxChanges, matches: Match[]): boolean {
  return matches.every((m) => tx.touches.some((t) => m.every((c) => holds(c, t))));
}

/**
 * The transaction schema: what a client may send, and refusals that say what is wrong and where.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, MAX_OPS_PER_TX, txRequestSchema } from './ops';

/** The issues as the member reports them: `path: message`. */
function problems(body: unknown): string[] {
  const r = txRequestSchema.safeParse(body);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
}

describe('transaction schema', () => {
  it('accepts every operation type, with defaults filled in', () => {
    const r = txRequestSchema.safeParse({
      ops: [
        { op: 'createNode', ref: '$a' },
        { op: 'createNode', ref: '$b', labels: ['Person', 'Admin'], properties: { name: 'Ada', n: 1.5, ok: false, tags: ['a', 'b'], nums: [1, 2] } },
        { op: 'createRelationship', ref: '$r', type: 'KNOWS', start: '$a', end: 0 },
        { op: 'setProperties', node: '$a', properties: { x: 1 } },
        { op: 'setProperties', relationship: '$r', properties: { y: 'z' } },
        { op: 'removeProperty', node: 3, key: 'x' },
        { op: 'removeProperty', relationship: 4, key: 'y' },
        { op: 'addLabels', node: '$a', labels: ['X'] },
        { op: 'removeLabels', node: 5, labels: ['X'] },
        { op: 'deleteRelationship', relationship: '$r' },
        { op: 'deleteNode', node: '$b' },
      ],
    });
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    expect(r.data?.ops[0]).toEqual({ op: 'createNode', ref: '$a', labels: [], properties: {} });
    expect(r.data?.ops[2]).toMatchObject({ properties: {} });
  });

  it.each<[string, unknown, RegExp]>([
    ['a body that is not an object', null, /\(body\): .*expected object/],
    ['a body that is an array', [], /\(body\): .*expected object/],
    ['no ops', {}, /^ops: .*(required|expected array)/],
    ['ops that are not an array', { ops: 'createNode' }, /^ops: .*expected array, received string/],
    ['ops as an object', { ops: { op: 'createNode' } }, /^ops: .*expected array/],
    ['an empty transaction', { ops: [] }, /^ops: a transaction needs at least one operation/],
    ['too many operations', { ops: Array.from({ length: MAX_OPS_PER_TX + 1 }, () => ({ op: 'createNode' })) }, /^ops: .*10000/],
    ['an unknown field beside ops', { ops: [{ op: 'createNode' }], drop: true }, /Unrecognized key: "drop"/],
    ['an unknown operation', { ops: [{ op: 'dropDatabase' }] }, /^ops\.0\.op: .*'createNode' \| 'setProperties'/],
    ['an operation without "op"', { ops: [{ labels: ['A'] }] }, /^ops\.0\.op: /],
    ['an operation that is not an object', { ops: ['createNode'] }, /^ops\.0: /],
    ['an unknown field in an operation', { ops: [{ op: 'createNode', lables: ['A'] }] }, /^ops\.0: Unrecognized key: "lables"/],
    ['a label with a space', { ops: [{ op: 'createNode', labels: ['My Label'] }] }, /^ops\.0\.labels\.0: must be letters, digits and underscores/],
    ['a label starting with a digit', { ops: [{ op: 'createNode', labels: ['1A'] }] }, /^ops\.0\.labels\.0: must be letters/],
    ['a relationship type with a dash', { ops: [{ op: 'createRelationship', type: 'WORKS-AT', start: 0, end: 1 }] }, /^ops\.0\.type: must be letters/],
    ['a null property value', { ops: [{ op: 'createNode', properties: { a: null } }] }, /^ops\.0\.properties\.a: .*(string|number|boolean)/],
    ['a nested object as property value', { ops: [{ op: 'createNode', properties: { a: { b: 1 } } }] }, /^ops\.0\.properties\.a: .*(string|number|boolean)/],
    ['a property array that is too long', { ops: [{ op: 'createNode', properties: { a: Array.from({ length: 10_001 }, () => 1) } }] }, /^ops\.0\.properties\.a: .*at most 10000/],
    ['a non-finite number', { ops: [{ op: 'createNode', properties: { a: Number.POSITIVE_INFINITY } }] }, /^ops\.0\.properties\.a: /],
    ['properties that are not an object', { ops: [{ op: 'createNode', properties: ['a'] }] }, /^ops\.0\.properties: .*expected record/],
    ['an empty property key', { ops: [{ op: 'setProperties', node: 1, properties: { '': 1 } }] }, /^ops\.0\.properties/],
    ['a negative node ID', { ops: [{ op: 'deleteNode', node: -1 }] }, /^ops\.0\.node: .*(>=0|non-negative|node ID)/],
    ['a fractional node ID', { ops: [{ op: 'deleteNode', node: 1.5 }] }, /^ops\.0\.node: .*(integer|node ID)/],
    ['a node ID as a numeric string', { ops: [{ op: 'deleteNode', node: '7' }] }, /^ops\.0\.node: .*\$name/],
    ['an unsafe integer ID', { ops: [{ op: 'deleteNode', node: 2 ** 60 }] }, /^ops\.0\.node: /],
    ['a missing node', { ops: [{ op: 'deleteNode' }] }, /^ops\.0\.node: .*required/],
    ['a missing end', { ops: [{ op: 'createRelationship', type: 'R', start: 0 }] }, /^ops\.0\.end: .*required/],
    ['a missing type', { ops: [{ op: 'createRelationship', start: 0, end: 1 }] }, /^ops\.0\.type: /],
    ['a relationship ID of the wrong type', { ops: [{ op: 'deleteRelationship', relationship: true }] }, /^ops\.0\.relationship: /],
    ['neither node nor relationship', { ops: [{ op: 'setProperties', properties: { a: 1 } }] }, /^ops\.0: exactly one of "node" or "relationship" is required/],
    ['both node and relationship', { ops: [{ op: 'removeProperty', node: 1, relationship: 1, key: 'a' }] }, /exactly one of "node" or "relationship"/],
    ['addLabels without labels', { ops: [{ op: 'addLabels', node: 1, labels: [] }] }, /^ops\.0\.labels: /],
    ['a badly formed reference', { ops: [{ op: 'createNode', ref: 'a' }] }, /^ops\.0\.ref: a reference looks like "\$name"/],
    ['the second operation bad', { ops: [{ op: 'createNode' }, { op: 'deleteNode', node: -5 }] }, /^ops\.1\.node: /],
    // as JSON.parse gives it: an own "__proto__" key, which zod's record would skip silently
    ['a property called __proto__', JSON.parse('{"ops":[{"op":"createNode","properties":{"__proto__":[1,2],"b":1}}]}'), /^ops\.0\.properties\.__proto__: "__proto__" cannot be a property key$/],
    ['setting __proto__', JSON.parse('{"ops":[{"op":"setProperties","node":1,"properties":{"__proto__":{"x":1}}}]}'), /^ops\.0\.properties\.__proto__: "__proto__" cannot be a property key$/],
    ['a relationship property called __proto__', JSON.parse('{"ops":[{"op":"createRelationship","type":"R","start":0,"end":1,"properties":{"__proto__":1}}]}'), /^ops\.0\.properties\.__proto__: /],
    ['removing __proto__', { ops: [{ op: 'removeProperty', node: 1, key: '__proto__' }] }, /^ops\.0\.key: "__proto__" cannot be a property key$/],
  ])('rejects %s, saying where', (_what, body, message) => {
    const p = problems(body);
    expect(p.length, 'should be rejected').toBeGreaterThan(0);
    expect(p.some((x) => message.test(x)), p.join('\n')).toBe(true);
    // no message is a bare "Invalid input" that leaves the client guessing
    for (const x of p) expect(x).not.toMatch(/: Invalid input$/);
  });
});

describe('property keys', () => {
  it('keeps keys that are names of Object.prototype members as plain properties', () => {
    const r = txRequestSchema.safeParse(JSON.parse('{"ops":[{"op":"createNode","properties":{"constructor":"x","toString":1,"hasOwnProperty":true,"b":1}}]}'));
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    const props = (r.data?.ops[0] as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(props).sort()).toEqual(['b', 'constructor', 'hasOwnProperty', 'toString']);
    expect(Object.getPrototypeOf(props)).toBe(Object.prototype);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson(['b', 'a'])).not.toBe(canonicalJson(['a', 'b']));
  });

  it('writes the same bytes on its native fast path (keys in order, flat values) as key by key', () => {
    // integer-like keys come first in Object.keys ("9" before "10"), but sort after as strings
    expect(canonicalJson({ 9: 'x', 10: 'y' })).toBe('{"10":"y","9":"x"}');
    expect(canonicalJson({ a: [1, 'x', true, null], b: 'ö', c: -0, d: 1.5e300 })).toBe('{"a":[1,"x",true,null],"b":"ö","c":0,"d":1.5e+300}');
    expect(canonicalJson({ a: 1, c: { z: 1, y: 2 }, b: [{ k: 1 }] })).toBe('{"a":1,"b":[{"k":1}],"c":{"y":2,"z":1}}');
    expect(canonicalJson({})).toBe('{}');
  });
});

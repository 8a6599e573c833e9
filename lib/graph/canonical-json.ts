/** Canonical JSON: what stored properties and digests are written as. */

/** JSON with object keys sorted, so that equal content gives equal bytes (digests, stored properties). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  // The usual case, properties already in key order with no nested objects: JSON.stringify writes the same
  // bytes, natively. (Key order is checked as strings: integer-like keys come first in Object.keys.)
  let inOrder = true;
  for (let i = 0; i < keys.length && inOrder; i++) {
    inOrder = (i === 0 || keys[i - 1] < keys[i]) && isFlat(obj[keys[i]]);
  }
  if (inOrder) return JSON.stringify(obj);
  keys.sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** A value JSON.stringify writes canonically: a primitive, or an array of primitives. */
function isFlat(v: unknown): boolean {
  if (v === undefined) return false;
  if (v === null || typeof v !== 'object') return true;
  return Array.isArray(v) && v.every((x) => x !== undefined && (x === null || typeof x !== 'object'));
}

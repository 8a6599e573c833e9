/**
 * Graph operations: what a transaction is made of.
 *
 * Clients send `ClientOp`s; nodes and relationships created earlier in the same transaction can be
 * referred to by `"$ref"` strings. The writer resolves every reference to a numeric ID and logs the
 * `ResolvedOp`s, so that replaying the log on any member (or in a restore) gives the very same store.
 */
import { z } from 'zod';

export const MAX_OPS_PER_TX = 10_000;

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and underscores, not starting with a digit');

/** A union's own message when no branch fits (zod's default, a bare "Invalid input", says neither what nor why). */
const unionError = (expected: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : `must be ${expected}`);

const scalar = z.union([z.string().max(65_536), z.number().refine(Number.isFinite, 'must be finite'), z.boolean()], {
  error: unionError('a string, a finite number or a boolean'),
});
const propertyValue = z.union([scalar, z.array(scalar).max(10_000)], {
  error: unionError('a string, a finite number, a boolean, or an array of at most 10000 of those (not null, not an object)'),
});
/** `__proto__` cannot be a key of a plain object (assigning it sets the prototype): refused, never dropped. */
const FORBIDDEN_KEY = '__proto__';
const forbiddenKeyMessage = `"${FORBIDDEN_KEY}" cannot be a property key`;
const propertyKey = z.string().min(1).max(256).refine((k) => k !== FORBIDDEN_KEY, forbiddenKeyMessage);
// zod's record skips an own "__proto__" key without a word, so it is looked for before the record is parsed
export const propertiesSchema = z
  .unknown()
  .superRefine((v, ctx) => {
    if (v !== null && typeof v === 'object' && Object.hasOwn(v, FORBIDDEN_KEY)) {
      ctx.addIssue({ code: 'custom', path: [FORBIDDEN_KEY], message: forbiddenKeyMessage });
    }
  })
  .pipe(z.record(propertyKey, propertyValue));

export type PropertyValue = z.infer<typeof propertyValue>;
export type Properties = Record<string, PropertyValue>;

const refName = z.string().regex(/^\$[A-Za-z0-9_]{1,64}$/, 'a reference looks like "$name"');
const entityId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const entityRef = z.union([entityId, refName], {
  error: unionError('an ID (a non-negative integer) or a reference like "$name"'),
});

export const clientOpSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('createNode'),
    ref: refName.optional(),
    labels: z.array(identifier).max(64).default([]),
    properties: propertiesSchema.default({}),
  }),
  z.strictObject({
      op: z.literal('setProperties'),
      node: entityRef.optional(),
      relationship: entityRef.optional(),
      properties: propertiesSchema,
    }),
  z.strictObject({
      op: z.literal('removeProperty'),
      node: entityRef.optional(),
      relationship: entityRef.optional(),
      key: propertyKey,
    }),
  z.strictObject({ op: z.literal('addLabels'), node: entityRef, labels: z.array(identifier).min(1).max(64) }),
  z.strictObject({ op: z.literal('removeLabels'), node: entityRef, labels: z.array(identifier).min(1).max(64) }),
  z.strictObject({ op: z.literal('deleteNode'), node: entityRef }),
  z.strictObject({
    op: z.literal('createRelationship'),
    ref: refName.optional(),
    type: identifier,
    start: entityRef,
    end: entityRef,
    properties: propertiesSchema.default({}),
  }),
  z.strictObject({ op: z.literal('deleteRelationship'), relationship: entityRef }),
]).superRefine((op, ctx) => {
  if ((op.op === 'setProperties' || op.op === 'removeProperty') && (op.node === undefined) === (op.relationship === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'exactly one of "node" or "relationship" is required' });
  }
});

export type ClientOp = z.infer<typeof clientOpSchema>;

export const txRequestSchema = z.strictObject({
  ops: z.array(clientOpSchema).min(1, 'a transaction needs at least one operation').max(MAX_OPS_PER_TX),
});

/** Operations as logged: every ID resolved. Short keys keep the log compact. */
export type ResolvedOp =
  | { op: 'createNode'; id: number; labels: string[]; properties: Properties }
  | { op: 'setProperties'; node?: number; relationship?: number; properties: Properties }
  | { op: 'removeProperty'; node?: number; relationship?: number; key: string }
  | { op: 'addLabels'; node: number; labels: string[] }
  | { op: 'removeLabels'; node: number; labels: string[] }
  | { op: 'deleteNode'; node: number }
  | { op: 'createRelationship'; id: number; type: string; start: number; end: number; properties: Properties }
  | { op: 'deleteRelationship'; relationship: number };

// (in a module of its own: the store uses it, and every process opens stores; these schemas are the members' alone)
export { canonicalJson } from './canonical-json';

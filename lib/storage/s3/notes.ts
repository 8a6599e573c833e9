/**
 * Notes of an S3 location (../location.ts, "Notes"): a small opaque note kept beside an artifact object, in the
 * key of an empty object, so that one listing of 1,000 keys hands back 1,000 notes and an index of 10,000
 * artifacts is a few listing pages instead of 10,000 GETs.
 *
 * On storage (version 1):
 *
 *   <prefix>/.txline-index/<name>/1.<size>.<etag>/<note, base64url, in segments of at most 200 characters>
 *
 * an empty object (segments: servers that keep objects as files, s3rver and MinIO, limit a key's segment to 255
 * bytes, as file systems limit a name). `<size>` and `<etag>` are the artifact object's, as a listing shows them (the ETag without its
 * quotes): the note is bound to that object, and list() hands it back only with an object of that size and ETag
 * under that name. The key stays within S3's 1,024 bytes, or no note is kept. A leading number other than 1 is a
 * later version: left alone, never read. Anything else under `<name>/` is refused (a finding), never trusted.
 *
 * Invariants:
 * - A note is put only after its object was committed (upload.ts). list() reads the notes' listing, then the
 *   objects', and hands a note back only with an object of its name, size and ETag: a note without its
 *   object (deleted, perhaps by an older Txline that knows nothing of notes) is ignored, an object without its
 *   note is read by its head. cleanLeftovers() removes orphan notes, and lists the notes before the objects, so a
 *   note listed but missing its object is one whose object is gone, never one not yet committed.
 * - delete() removes an object's notes before the object: killed in between, the object stays without a note,
 *   and is read by its head.
 * - The note is a hint: its reader (lib/engine/artifact-note.ts) checks it as it checks an artifact's head.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { isArtifactName } from '../location';
import type { S3Context } from './context';
import { listObjects } from './leftovers';

export const NOTES_FOLDER = '.txline-index/';
export const NOTE_VERSION = 1;
/** S3's limit on a key's length (UTF-8 bytes) */
export const MAX_KEY_BYTES = 1024;

const V1 = /^1\.(0|[1-9][0-9]{0,15})\.([A-Za-z0-9-]{1,64})\/((?:[A-Za-z0-9_-]{1,200}\/)*[A-Za-z0-9_-]{1,200})$/;
const SEGMENT = 200;

/** An ETag as a listing or an upload answer gives it, without quotes; null when it is not one a key can hold. */
export function plainEtag(etag: string | undefined): string | null {
  const t = (etag ?? '').replace(/^(W\/)?"|"$/g, '');
  return /^[A-Za-z0-9-]{1,64}$/.test(t) ? t : null;
}

export function notesPrefix(ctx: S3Context): string {
  return ctx.keyPrefix + NOTES_FOLDER;
}

/** The key that keeps `note` for the object `name` of `size` bytes and ETag `etag`; null when it would not fit. */
export function noteKey(ctx: S3Context, name: string, size: number, etag: string, note: Buffer): string | null {
  const tag = plainEtag(etag);
  if (!tag || !Number.isSafeInteger(size) || size < 0 || note.length === 0) return null;
  const b64 = note.toString('base64url');
  const segments = Array.from({ length: Math.ceil(b64.length / SEGMENT) }, (_, i) => b64.slice(i * SEGMENT, (i + 1) * SEGMENT));
  const key = `${notesPrefix(ctx)}${ctx.keyOf(name).slice(ctx.keyPrefix.length)}/${NOTE_VERSION}.${size}.${tag}/${segments.join('/')}`;
  return Buffer.byteLength(key) <= MAX_KEY_BYTES ? key : null;
}

/** A note found for a name: the note and the object it is bound to, or why it is refused. */
export type FoundNote = { size: number; etag: string; note: Buffer } | { refused: string };

/** What a key under the notes folder is: a note for a name, a later version (ignored), or not a note at all. */
export function parseNoteKey(ctx: S3Context, key: string): { name: string; found: FoundNote | null } | null {
  const rest = key.slice(notesPrefix(ctx).length);
  if (!key.startsWith(notesPrefix(ctx))) return null;
  const cut = rest.indexOf('/');
  if (cut < 0) return null;
  const name = rest.slice(0, cut);
  const leaf = rest.slice(cut + 1);
  if (!isArtifactName(name) || /[\\\x00-\x1f\x7f]/.test(name)) return null; // not an artifact's: not ours to judge
  if (/^([2-9]|[1-9][0-9]+)\./.test(leaf)) return { name, found: null }; // a later version: left alone
  const m = V1.exec(leaf);
  if (!m) return { name, found: { refused: `its index note key is not one Txline writes (${JSON.stringify(leaf.slice(0, 40))}${leaf.length > 40 ? '…' : ''})` } };
  const b64 = m[3].replace(/\//g, '');
  const note = Buffer.from(b64, 'base64url');
  if (note.toString('base64url') !== b64 || m[3].split('/').some((seg, i, all) => seg.length !== (i < all.length - 1 ? SEGMENT : seg.length))) return { name, found: { refused: 'its index note is not base64url in segments of 200 characters, as Txline writes it' } };
  return { name, found: { size: Number(m[1]), etag: m[2], note } };
}

/** What the notes folder holds for one name. */
export interface NotesOfName {
  /** version-1 notes (one is usable; several are refused) */
  v1: Array<{ key: string; size: number; etag: string; note: Buffer }>;
  /** keys under the name that are not notes Txline writes, with why */
  refused: Array<{ key: string; why: string }>;
}

/** Every note of the location by name (later versions' keys left out). */
export async function listNotes(ctx: S3Context): Promise<Map<string, NotesOfName>> {
  const out = new Map<string, NotesOfName>();
  for (const o of await listObjects(ctx, notesPrefix(ctx))) {
    const p = parseNoteKey(ctx, o.key);
    if (!p?.found) continue;
    let n = out.get(p.name);
    if (!n) out.set(p.name, (n = { v1: [], refused: [] }));
    if ('refused' in p.found) n.refused.push({ key: o.key, why: p.found.refused });
    else n.v1.push({ key: o.key, ...p.found });
  }
  return out;
}

/** The note to hand back with a listed object, or why not (nothing: no note of version 1 for it). */
export function noteFor(n: NotesOfName | undefined, object: { size: number; etag: string | null }): { note?: Buffer; noteRefused?: string } {
  if (!n) return {};
  if (n.refused.length) return { noteRefused: n.refused[0].why };
  if (n.v1.length > 1) return { noteRefused: `it has ${n.v1.length} index notes, where Txline writes one` };
  if (n.v1.length === 0) return {};
  const found = n.v1[0];
  if (found.size !== object.size || found.etag !== object.etag) {
    return { noteRefused: `its index note is for another object under that name (${found.size} bytes, ETag ${found.etag}; the object is ${object.size} bytes, ETag ${object.etag ?? 'unknown'})` };
  }
  return { note: found.note };
}

/** Puts the note of a committed object; false when it does not fit a key (nothing is put). */
export async function putNote(ctx: S3Context, name: string, size: number, etag: string | undefined, note: Buffer): Promise<boolean> {
  const key = etag === undefined ? null : noteKey(ctx, name, size, etag, note);
  if (!key) return false;
  const client = await ctx.client();
  await client.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: '' }), ctx.small);
  return true;
}

/** Removes every note of `name` (before its object is removed). */
export async function deleteNotes(ctx: S3Context, name: string): Promise<void> {
  const client = await ctx.client();
  for (const o of await listObjects(ctx, `${notesPrefix(ctx)}${ctx.keyOf(name).slice(ctx.keyPrefix.length)}/`)) {
    await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: o.key }), ctx.small);
  }
}

/**
 * Removes the notes (and refused keys) whose object is gone, and the notes bound to another object than the one
 * under their name now (size or ETag differ). The notes are listed before the objects (see the header: a note is
 * put after its object, so this never removes the note of an object being written). One line for all.
 */
export async function cleanNotes(ctx: S3Context, objects: () => Promise<Map<string, { size: number; etag: string | null }>>): Promise<string[]> {
  const notes = await listNotes(ctx);
  if (notes.size === 0) return [];
  const listed = await objects();
  const client = await ctx.client();
  let removed = 0;
  for (const [name, n] of notes) {
    const o = listed.get(name);
    const doomed = o ? n.v1.filter((v) => v.size !== o.size || v.etag !== o.etag).map((v) => v.key) : [...n.v1.map((v) => v.key), ...n.refused.map((r) => r.key)];
    for (const key of doomed) {
      await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }), ctx.small);
      removed++;
    }
  }
  return removed ? [`removed ${removed} index note${removed === 1 ? '' : 's'} of artifacts that are gone or were replaced`] : [];
}

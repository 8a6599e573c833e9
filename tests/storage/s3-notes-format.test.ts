/**
 * The on-storage format of index notes, version 1 (lib/storage/s3/notes.ts, lib/engine/artifact-note.ts), pinned:
 * the note of a checked-in golden artifact is a fixed string (the preset dictionary and the encoding never
 * change without a new version), it reads back to exactly the metadata the artifact's head holds, and keys are
 * made and read as documented (segments of 200, the 1,024-byte limit, later versions left alone, anything else
 * refused). No server: the keys are plain strings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../lib/engine/artifact';
import { artifactFromNote, encodeArtifactNote } from '../../lib/engine/artifact-note';
import { openLocation } from '../../lib/storage';
import { S3Context } from '../../lib/storage/s3/context';
import { MAX_KEY_BYTES, noteFor, noteKey, parseNoteKey, plainEtag } from '../../lib/storage/s3/notes';

const GOLDEN = path.resolve(import.meta.dirname, '../fixtures/artifacts/zstd-27c8168/golden-2026-12-06T02-29-05.backup');
/** its version-1 note, as Txline 0.1.0 wrote it (do not change: a changed encoding is a new version) */
const NOTE_V1 =
  'pdNLToMxDATgu3Sfys_Y7jm4QOIkbBAcAHF3hKC0f6GowHoW1ljfPN_I4_7pYczHCyRIBeod0IHiALonlH8iwZzSKtXiAlhkQC9NnQuHoU4U621sIGk2WOxZmmAWwfTi6VqwjRHYW-KkDTaKDTf2M3AIJ3IfhcumZyEvGvv3D-2uiUTzYFRh-3T5duZSJopikKr6N0bRoioJCpDZV6yn2Blvl4tX6AoZ4Q9-j_v7A9TK9dwqIvOZ1zqBMmufa0rFDmGUE8xSxzKaDHOiR8uxYmqsrr2LcZc2qOOE-K13DsuMmjytVh4iBjXSYgGssfoYC9lcGH0pNKh9sYNRuORMS9q9vAI';

const ctx = new S3Context('bucket', 'prod/db/', 's3://bucket/prod/db', undefined, () => Promise.reject(new Error('no client in this test')));

describe('index notes, version 1', () => {
  it('the note of a golden artifact is pinned, and reads back to the metadata of its head', () => {
    const bytes = fs.readFileSync(GOLDEN);
    expect(encodeArtifactNote(bytes.toString('utf8', 512, 512 + 8192)).toString('base64url')).toBe(NOTE_V1);
    const loc = openLocation('s3://bucket/prod/db');
    const fromNote = artifactFromNote(loc, 'golden-x.backup', Buffer.from(NOTE_V1, 'base64url'), bytes.length);
    const { file: _f, path: _p, ...head } = readArtifact(GOLDEN);
    const { file, path: where, ...meta } = fromNote;
    expect(meta).toEqual(head);
    expect(file).toBe('golden-x.backup');
    expect(where).toBe('s3://bucket/prod/db/golden-x.backup');
    expect(() => artifactFromNote(loc, 'golden-x.backup', Buffer.from(NOTE_V1, 'base64url'), bytes.length + 512)).toThrow(/index note is refused \(it describes an artifact of \d+ bytes; the object is \d+ bytes\)/);
  });

  it('keys: made in segments of 200 within 1,024 bytes, read back; later versions left alone; anything else refused', () => {
    const note = Buffer.from(NOTE_V1, 'base64url');
    const key = noteKey(ctx, 'golden-x.backup', 9728, '"0123456789abcdef0123456789abcdef-2"', note) as string;
    expect(key.startsWith('prod/db/.txline-index/golden-x.backup/1.9728.0123456789abcdef0123456789abcdef-2/')).toBe(true);
    expect(key.split('/').every((s) => s.length <= 200)).toBe(true);
    const parsed = parseNoteKey(ctx, key);
    expect(parsed).toEqual({ name: 'golden-x.backup', found: { size: 9728, etag: '0123456789abcdef0123456789abcdef-2', note } });
    expect(noteKey(ctx, 'golden-x.backup', 9728, 'abc', Buffer.alloc(800, 1))).toBeNull(); // past MAX_KEY_BYTES
    expect(MAX_KEY_BYTES).toBe(1024);
    expect(plainEtag('W/"abc"')).toBe('abc');
    expect(plainEtag('"a/b"')).toBeNull();

    expect(parseNoteKey(ctx, 'prod/db/.txline-index/golden-x.backup/2.1.abc/whatever')).toEqual({ name: 'golden-x.backup', found: null });
    expect(parseNoteKey(ctx, 'prod/db/.txline-index/not-an-artifact/1.1.abc/AAAA')).toBeNull();
    expect(parseNoteKey(ctx, 'prod/other/.txline-index/golden-x.backup/1.1.abc/AAAA')).toBeNull();
    const refused = (k: string) => (parseNoteKey(ctx, k)?.found as { refused?: string } | null)?.refused;
    expect(refused('prod/db/.txline-index/golden-x.backup/zzz')).toMatch(/not one Txline writes/);
    expect(refused('prod/db/.txline-index/golden-x.backup/1.01.abc/AAAA')).toMatch(/not one Txline writes/);
    expect(refused('prod/db/.txline-index/golden-x.backup/1.1.abc/AAA/AAAA')).toMatch(/segments of 200/); // a short segment before the last
    expect(refused('prod/db/.txline-index/golden-x.backup/1.1.abc/AAB')).toMatch(/not base64url/); // not canonical

    const found = parsed?.found ?? undefined;
    const v1 = found && !('refused' in found) ? [{ key, ...found }] : [];
    expect(noteFor({ v1, refused: [] }, { size: 9728, etag: '0123456789abcdef0123456789abcdef-2' })).toEqual({ note });
    expect(noteFor({ v1, refused: [] }, { size: 9728, etag: null }).noteRefused).toMatch(/for another object/);
    expect(noteFor({ v1: [...v1, ...v1], refused: [] }, { size: 9728, etag: '0123456789abcdef0123456789abcdef-2' }).noteRefused).toMatch(/2 index notes/);
    expect(noteFor(undefined, { size: 1, etag: 'x' })).toEqual({});
  });
});

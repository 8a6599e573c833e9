/**
 * The catalog's first index of an `s3://` location whose artifacts carry notes (lib/storage/s3/notes.ts: the
 * metadata in the key of an empty object beside each artifact, lib/engine/artifact-note.ts): listings only, no
 * GET per artifact, and the same rows as reading each head gives. Artifacts without a note (older Txline,
 * other programs, a writer killed between its commit and its note) are read by their heads. A note that is
 * corrupt, hostile, stale, doubled or for an object that is not there is refused with a finding, or ignored, and
 * never shown. Requests are counted by a proxy in front of s3rver (real server, loopback).
 */
import zlib from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { indexFolder } from '../../lib/db/indexer';
import { listArtifactsOfFolder, rowFromArtifact } from '../../lib/db/queries/artifacts';
import { ensureFolder, getFolder } from '../../lib/db/queries/clusters';
import { PAYLOAD_OFFSET, listArtifactsIn, metadataChecksum } from '../../lib/engine/artifact';
import { DICTIONARY_V1 } from '../../lib/engine/artifact-note';
import { openLocation } from '../../lib/storage';
import { designTable, writeChain, type ChainSpec } from '../helpers/chains';
import { seedS3rverObjects } from '../helpers/s3';
import { setUpIndexedS3 } from '../helpers/s3-index';

const t = setUpIndexedS3('s3-index-notes');

/** The index's columns (what rowFromArtifact fills in) but the folder and the time of indexing. */
const COLUMNS = ['file', 'database', 'databaseId', 'storeId', 'time', 'full', 'compressed', 'lowestTx', 'highestTx', 'tipTx', 'txCount', 'parent', 'parentLastTxChecksum', 'lastTxChecksum', 'firstCommitTime', 'lastCommitTime', 'recovered', 'memberId', 'memberAddress', 'sizeBytes', 'rawBytes', 'sha256', 'nodes', 'relationships', 'fileSize', 'fileMtimeMs'] as const;
const pick = (r: Record<string, unknown>) => Object.fromEntries(COLUMNS.map((k) => [k, r[k]]));

/** Rows as the catalog keeps them, without what differs per scan. */
function rowsOf(folderId: number) {
  return listArtifactsOfFolder(t.db, { folderId })
    .map((r) => pick(r) as { file: string; highestTx: number } & Record<string, unknown>)
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** The rows reading every head gives (the engine's own listing, as restore and check read). */
async function rowsFromHeads(url: string, folderId: number) {
  const listed = await listArtifactsIn(openLocation(url));
  expect(listed.problems).toEqual([]);
  const entries = new Map((await openLocation(url).list()).map((e) => [e.name, e]));
  return listed.artifacts
    .map((a) => {
      const e = entries.get(a.file);
      const r = rowFromArtifact(folderId, a, { size: e?.size ?? -1, mtimeMs: e?.mtimeMs ?? -1 });
      expect(Object.keys(r).sort()).toEqual([...COLUMNS, 'folderId', 'indexedAt'].sort());
      return pick(r) as { file: string } & Record<string, unknown>;
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

async function index(url: string) {
  const loc = ensureFolder(t.db, { name: url, path: url, isDefault: false });
  t.proxy.reset();
  const r = await indexFolder(t.db, loc, { backupRoots: [t.roots], backupDir: t.roots });
  return { r, c: t.proxy.counts, id: loc.id };
}

/** The note key of `name` as listed now (one). */
async function noteKeyOf(bucket: string, prefix: string, name: string): Promise<string> {
  const l = await t.s3.client.send(new (await import('@aws-sdk/client-s3')).ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/.txline-index/${name}/` }));
  const keys = (l.Contents ?? []).map((o) => o.Key as string);
  expect(keys).toHaveLength(1);
  return keys[0];
}

async function putKey(bucket: string, key: string): Promise<void> {
  await t.s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '' }));
}

/** A note (as a key's last part holds it) of this metadata JSON object, its checksum made right or not. */
function noteOf(meta: Record<string, unknown>, fixChecksum: boolean): string {
  const { metadataSha256, ...rest } = meta;
  const m = fixChecksum ? { ...rest, metadataSha256: metadataChecksum(rest) } : { ...rest, metadataSha256 };
  return zlib.deflateRawSync(Buffer.from(JSON.stringify(m)), { dictionary: DICTIONARY_V1 }).toString('base64url');
}

/** A note's key as Txline writes it: `<dir>1.<size>.<etag>/<base64url in segments of 200>`. */
function keyIn(n: { dir: string; parts: string[] }, b64: string): string {
  return `${n.dir}1.${n.parts[1]}.${n.parts[2]}/${b64.match(/.{1,200}/g)?.join('/')}`;
}

function decodeNote(b64: string): Record<string, unknown> {
  return JSON.parse(zlib.inflateRawSync(Buffer.from(b64, 'base64url'), { dictionary: DICTIONARY_V1 }).toString()) as Record<string, unknown>;
}

const many = (n: number): ChainSpec[] => Array.from({ length: n }, (_, i) => (i % 4 === 0 ? { label: `a${i}`, full: 10 * (i + 1) } : { label: `a${i}`, parent: `a${i - 1}`, to: 10 * (i + 1) }));

describe('the first index of an s3:// location reads notes, not heads', () => {
  it('artifacts written by this Txline: listings only, and the rows reading each head gives', async () => {
    const bucket = await t.s3.bucket();
    const url = `s3://${bucket}/prod/neo4j`;
    await writeChain(url, [...designTable(false), ...many(14).map((s) => ({ ...s, database: 'other', at: 600 + Number(s.label.slice(1)) }))]);
    const { r, c, id } = await index(url);
    expect(r).toMatchObject({ added: 20, updated: 0, removed: 0, problems: [], findings: [], fromNotes: 20 });
    expect(getFolder(t.db, { id })?.lastScanError).toBeNull();
    // one listing of the notes, one of the artifacts: no GET of any object, nothing whole, nothing written
    expect(c.listings).toBe(2);
    expect(c.rangedGets).toBe(0);
    expect(c.wholeGets).toBe(0);
    expect(c.requests).toBe(2);
    expect(rowsOf(id)).toEqual(await rowsFromHeads(url, id));
    expect(rowsOf(id).find((x) => x.highestTx === 50)).toMatchObject({ lowestTx: 41, full: false, database: 'neo4j' });
  }, 60_000);

  it('old and new artifacts mixed: a GET for each one without a note, none for the others', async () => {
    const bucket = await t.s3.bucket();
    const url = `s3://${bucket}/mixed`;
    const written = await writeChain(url, designTable(true));
    const sources = await writeChain(t.folder('old'), designTable(false));
    const old = seedS3rverObjects(t.s3, bucket, 'mixed', Object.values(sources).map((a) => a.path), 300, 'legacy');
    const { r, c, id } = await index(url);
    expect(r).toMatchObject({ added: 306, problems: [], findings: [], fromNotes: 6 });
    expect(c.rangedGets).toBe(old.length);
    expect([...c.ranges.entries()]).toEqual([[`bytes=0-${PAYLOAD_OFFSET - 1}`, old.length]]);
    expect(c.listings).toBe(2); // the notes, then the artifacts
    expect(c.requests).toBe(c.listings + c.rangedGets);
    expect(rowsOf(id)).toEqual(await rowsFromHeads(url, id));
    expect(Object.keys(written)).toHaveLength(6);
  }, 120_000);

  it('a writer killed between its commit and its note, a delete, an orphan note: the index stays right; cleanLeftovers removes orphans', async () => {
    const bucket = await t.s3.bucket();
    const url = `s3://${bucket}/kill`;
    const loc = openLocation(url);
    const chain = await writeChain(url, designTable(false));
    // killed before the note was put: the same artifact as committed without one
    const local = await writeChain(t.folder('kill-local'), [{ label: 'x', full: 7, at: 900 }]);
    const w = await loc.write(local.x.file);
    w.sink.end(await import('node:fs').then((fs) => fs.readFileSync(local.x.path)));
    const bare = await w.commit();
    // deleted: its note goes first, then the object (a kill in between leaves the object without a note)
    await loc.delete(chain.backup6.file);
    // an older Txline's delete knows nothing of notes: the object is gone, its note stays
    const orphan = await noteKeyOf(bucket, 'kill', chain.backup5.file);
    await t.s3.client.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: bucket, Key: `kill/${chain.backup5.file}` }));
    const { r, c, id } = await index(url);
    expect(r).toMatchObject({ added: 5, problems: [], findings: [], fromNotes: 4 });
    expect(c.rangedGets).toBe(1);
    expect(rowsOf(id).map((x) => x.file)).toEqual([chain.backup1.file, chain.backup2.file, chain.backup3.file, chain.backup4.file, bare].sort());
    expect(rowsOf(id)).toEqual(await rowsFromHeads(url, id));
    expect(await loc.cleanLeftovers()).toEqual(['removed 1 index note of artifacts that are gone or were replaced']);
    const left = await t.s3.client.send(new (await import('@aws-sdk/client-s3')).ListObjectsV2Command({ Bucket: bucket, Prefix: 'kill/.txline-index/' }));
    expect((left.Contents ?? []).map((o) => o.Key)).not.toContain(orphan);
    expect(left.Contents ?? []).toHaveLength(4);
    expect(await loc.cleanLeftovers()).toEqual([]);
  }, 60_000);

  it('a note that would not fit in a 1,024-byte key is not written: the artifact is committed and read by its head', async () => {
    const bucket = await t.s3.bucket();
    const prefix = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(160)).join('/');
    const url = `s3://${bucket}/${prefix}`;
    const local = await writeChain(t.folder('long'), [{ label: 'a', full: 3 }]);
    const w = await openLocation(url).write(local.a.file);
    w.sink.end((await import('node:fs')).readFileSync(local.a.path));
    // a note of 600 bytes (800 in base64url) beside a prefix of 482: more than S3's 1,024 bytes
    expect(await w.commit({ note: (await import('node:crypto')).randomBytes(600) })).toBe(local.a.file);
    const notes = await t.s3.client.send(new (await import('@aws-sdk/client-s3')).ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/.txline-index/` }));
    expect(notes.Contents ?? []).toEqual([]);
    const { r, c, id } = await index(url);
    expect(r).toMatchObject({ added: 1, problems: [], findings: [], fromNotes: 0 });
    expect(c.rangedGets).toBe(1);
    expect(rowsOf(id)).toEqual(await rowsFromHeads(url, id));
  }, 60_000);

  it('a corrupt, hostile, stale or doubled note is refused with a finding and the head is read; a note without its object shows nothing', async () => {
    const bucket = await t.s3.bucket();
    const url = `s3://${bucket}/hostile`;
    const chain = await writeChain(url, designTable(false));
    const leaf = async (label: string) => {
      const key = await noteKeyOf(bucket, 'hostile', chain[label].file);
      const dir = `hostile/.txline-index/${chain[label].file}/`;
      const [head, ...segments] = key.slice(dir.length).split('/');
      return { key, dir, parts: [...head.split('.'), segments.join('')] };
    };
    const del = async (key: string) => t.s3.client.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: bucket, Key: key }));

    // backup1: a wider transaction range, checksum left as it was (damaged)
    const b1 = await leaf('backup1');
    await del(b1.key);
    await putKey(bucket, keyIn(b1, noteOf({ ...decodeNote(b1.parts[3]), highestTx: 999 }, false)));
    // backup2: a payload size that does not match the object (its checksum made right)
    const b2 = await leaf('backup2');
    await del(b2.key);
    const m2 = decodeNote(b2.parts[3]) as { payload: Record<string, unknown> };
    await putKey(bucket, keyIn(b2, noteOf({ ...m2, payload: { ...m2.payload, sizeBytes: 123456 } }, true)));
    // backup3: bytes that do not inflate
    const b3 = await leaf('backup3');
    await del(b3.key);
    await putKey(bucket, keyIn(b3, Buffer.from('not a deflate stream at all').toString('base64url')));
    // backup4: a second note beside its own
    const b4 = await leaf('backup4');
    await putKey(bucket, keyIn(b4, noteOf({ ...decodeNote(b4.parts[3]), lowestTx: 1 }, true)));
    // backup5: stale, for another object (another ETag)
    const b5 = await leaf('backup5');
    await del(b5.key);
    await putKey(bucket, keyIn({ ...b5, parts: [b5.parts[0], b5.parts[1], '0123456789abcdef0123456789abcdef', b5.parts[3]] }, b5.parts[3]));
    // backup6: a deflate bomb (inflates far past a head's metadata)
    const b6 = await leaf('backup6');
    await del(b6.key);
    const bomb = zlib.deflateRawSync(Buffer.alloc(200_000, 0x20), { level: 9, dictionary: DICTIONARY_V1 }).toString('base64url');
    expect(bomb.length).toBeLessThan(800);
    await putKey(bucket, keyIn(b6, bomb));
    // a note (valid in every way) for an artifact that is not there; a key that is no note; a later version's note
    await putKey(bucket, keyIn({ ...b1, dir: 'hostile/.txline-index/neo4j-2030-01-01T00-00-00.backup/' }, b1.parts[3]));
    await putKey(bucket, `hostile/.txline-index/${chain.backup1.file}/zzz`);
    await putKey(bucket, `hostile/.txline-index/${chain.backup1.file}/2.whatever-a-later-version-writes`);

    const { r, c, id } = await index(url);
    expect(r).toMatchObject({ added: 6, problems: [], fromNotes: 0 });
    expect(c.rangedGets).toBe(6);
    const said = Object.fromEntries(r.findings.map((f) => [f.file, f.message]));
    expect(Object.keys(said).sort()).toEqual(Object.values(chain).map((a) => a.file).sort());
    expect(said[chain.backup1.file]).toMatch(/index note key is not one Txline writes \("zzz"\)/);
    expect(said[chain.backup2.file]).toMatch(/index note is refused \(it describes an artifact of \d+ bytes; the object is \d+ bytes\)/);
    expect(said[chain.backup3.file]).toMatch(/index note is refused \(it does not inflate/);
    expect(said[chain.backup4.file]).toMatch(/it has 2 index notes/);
    expect(said[chain.backup5.file]).toMatch(/index note is for another object under that name/);
    expect(said[chain.backup6.file]).toMatch(/index note is refused \(it does not inflate.*(larger|buffer|length)/i);
    for (const m of Object.values(said)) expect(m).toContain(`s3://${bucket}/hostile/`);
    expect(getFolder(t.db, { id })?.lastScanError).toMatch(/^index notes refused: /);
    // what the catalog shows is what the heads say: no forged range, nothing that is not there
    expect(rowsOf(id)).toEqual(await rowsFromHeads(url, id));
    expect(rowsOf(id).find((x) => x.file === chain.backup1.file)?.highestTx).toBe(10);

    // backup1's damaged note alone (the odd keys gone): refused for its checksum
    await del(`hostile/.txline-index/${chain.backup1.file}/zzz`);
    await t.db.$client.prepare('DELETE FROM artifacts WHERE folder_id = ?').run(id);
    const again = await index(url);
    expect(again.r.findings.find((f) => f.file === chain.backup1.file)?.message).toMatch(/index note is refused \(metadata checksum mismatch\)/);
    expect(rowsOf(id)).toEqual(await rowsFromHeads(url, id));
  }, 60_000);
});

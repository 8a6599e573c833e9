/**
 * An artifact's note: its metadata, small enough for a location to keep beside the object and hand back with a
 * listing (lib/storage/location.ts, "Notes"; S3 keeps it in a key, lib/storage/s3/notes.ts), so that the
 * catalog's index of object storage reads no head per artifact.
 *
 * Format (version 1, the version is the location's): the metadata exactly as the head holds it, as compact JSON
 * (with its metadataSha256), deflated (raw) with the preset dictionary DICTIONARY_V1, which must never change:
 * a note of ~800 bytes of JSON becomes ~260 bytes (~350 in base64url).
 *
 * A note is a hint, never the truth. It is read only by the catalog's indexer, and checked as a head is
 * (parseHead in artifact.ts): it must inflate to at most METADATA_BYTES, parse, carry the checksum of its own
 * content, pass the metadata schema, and name a payload whose artifact is exactly the listed object's size. What
 * fails is refused (ARTIFACT_CORRUPT naming the object) and the caller reads the head instead. Whoever can write
 * a note that passes could as well write the artifact; restore, check, aggregate, prune and inspect never read
 * notes: they read each artifact's own head, then verify its payload's SHA-256 and the chain's links.
 */
import zlib from 'node:zlib';
import { TxlineError, describeError } from '../errors';
import type { Location } from '../storage';
import { METADATA_BYTES, artifactFileSize, artifactMetadataSchema, located, metadataChecksum, type Artifact } from './artifact';

/**
 * The preset dictionary of version-1 notes: the metadata's keys and usual values, in the head's key order, as
 * they were when notes began (artifact format txline-backup/1; written out, not taken from FORMAT, which moves on).
 */
export const DICTIONARY_V1 = Buffer.from(
  `{"format":"txline-backup/1","database":"","time":"2026-01-01T00:00:00.000Z","full":false,"compressed":true,"codec":"zstd",` +
    '"databaseId":"","storeId":"","lowestTx":,"highestTx":,"txCount":,"parent":null,"parentLastTxChecksum":null,"tipTx":,' +
    '"lastTxChecksum":,"firstCommitTime":null,"lastCommitTime":,"recovered":false,"member":{"id":"member-","address":"127.0.0.1:",' +
    '"role":"writer"},"store":{"nodes":,"relationships":},"payload":{"entry":"transactions.log.zst","sizeBytes":,"rawBytes":,' +
    '"sha256":""},"createdBy":"txline 0.1.0","metadataSha256":""}',
);

/**
 * The note of an artifact, from the metadata JSON its head holds (in the head's key order, with its
 * metadataSha256, which covers the other keys in that order).
 */
export function encodeArtifactNote(headJson: string): Buffer {
  return zlib.deflateRawSync(Buffer.from(JSON.stringify(JSON.parse(headJson))), { level: 9, dictionary: DICTIONARY_V1 });
}

/** The artifact `name` of `loc` (an object of `size` bytes) as its note describes it, checked (see the header). */
export function artifactFromNote(loc: Location, name: string, note: Buffer, size: number): Artifact {
  const refused = (why: string) => new TxlineError('ARTIFACT_CORRUPT', `${loc.addressOf(name)}: its index note is refused (${why}); its head is read instead`);
  let text: string;
  try {
    text = zlib.inflateRawSync(note, { dictionary: DICTIONARY_V1, maxOutputLength: METADATA_BYTES }).toString('utf8');
  } catch (e) {
    throw refused(`it does not inflate: ${describeError(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refused('it is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw refused('it is not a metadata object');
  const { metadataSha256, ...rest } = parsed as Record<string, unknown>;
  if (metadataSha256 !== metadataChecksum(rest)) throw refused('metadata checksum mismatch');
  const meta = artifactMetadataSchema.safeParse(parsed);
  if (!meta.success) throw refused(`invalid metadata: ${meta.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const expected = artifactFileSize(meta.data.payload.sizeBytes);
  if (size !== expected) throw refused(`it describes an artifact of ${expected} bytes; the object is ${size} bytes`);
  return located({ ...meta.data, file: name, path: loc.addressOf(name) }, loc);
}

/**
 * The content digest a backup of the `txline` kind records in its artifact (format 3, `contentDigest.sum`): the
 * member's digest of the database (GET /db/{name}/digest: the content sum its writer keeps at every commit,
 * lib/graph/content-sum.ts, read with the transaction and counts from one consistent view of the store's meta;
 * no row is read). A restore reports the same sum for the restored database, and a drill computes it from
 * every row of the database it restored.
 *
 * Invariants:
 * - A digest is recorded only for the transaction the artifact ends at (`tipTx`): a differential stops at the
 *   transaction the digest was read at; a full records it only when the store it received is at that
 *   transaction (a busy database may have moved on in between: then none, and the log says why).
 * - Reading the digest never fails a backup: a member that cannot give one leaves the artifact without.
 */
import { MemberClient } from '../../cluster/client';
import { describeError } from '../../errors';
import type { Digest } from '../../graph/store';
import type { ArtifactMetadata } from '../../engine/artifact';
import type { EngineLog } from '../../engine/progress';
import type { SourceMember } from '../../engine/source';

export type RecordedDigest = NonNullable<ArtifactMetadata['contentDigest']>;

/** The member's digest of `db` now, or null (with a warning) when it cannot give one. */
export async function readDigest(db: string, member: SourceMember, log: EngineLog): Promise<Digest | null> {
  try {
    return await new MemberClient(member.address).digest(db);
  } catch (e) {
    log.warn(`the content digest of ${db} could not be read from ${member.id}; the artifact records none: ${describeError(e)}`);
    return null;
  }
}

/** The digest to record for an artifact ending at `tipTx`: the one read, if it was read at that transaction. */
export function digestAt(d: Digest | null, tipTx: number, what: { db: string; member: string; log: EngineLog }): RecordedDigest | null {
  if (!d) return null;
  if (d.lastCommittedTxn !== tipTx) {
    what.log.info(`no content digest recorded: ${what.member} was at transaction ${d.lastCommittedTxn} when its digest of ${what.db} was read, the artifact ends at ${tipTx}`);
    return null;
  }
  return { tx: d.lastCommittedTxn, nodes: d.nodes, relationships: d.relationships, sum: d.contentHash };
}

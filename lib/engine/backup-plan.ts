/**
 * What one backup of a database from one member will be: a differential on a parent, or a full and why
 * (requested, first backup, or a fallback). A pure function of the member's position and the folder's
 * artifacts; the chain's stored payloads are checked afterwards (backup.ts).
 */
import { chooseParent, type ChainNode } from './chain';
import type { MemberDatabase } from './source';

export type BackupType = 'auto' | 'full' | 'diff';

export interface PlanOptions {
  type: BackupType;
  preferDiffAsParent: boolean;
}

/** `fallback`: a differential was possible in principle but cannot be taken (the log warns; --fallback-to-full=false fails). */
export type BackupPlan<T extends ChainNode> = { type: 'full'; reason: string; fallback: boolean } | { type: 'diff'; parent: T };

export function planBackup<T extends ChainNode>(
  db: string,
  c: Pick<MemberDatabase, 'member' | 'storeId' | 'lastCommittedTxn' | 'lowestAvailableTxn'>,
  existing: readonly T[],
  opts: PlanOptions,
): BackupPlan<T> {
  if (opts.type === 'full') return { type: 'full', reason: 'a full backup was requested (--type=full)', fallback: false };
  const storeId = c.storeId ?? '';
  const choice = chooseParent(existing, { database: db, storeId, preferDiff: opts.preferDiffAsParent });
  if (!choice.parent) {
    const first = !existing.some((a) => a.database === db);
    return { type: 'full', reason: choice.reason ?? 'no parent', fallback: !(first && opts.type === 'auto') };
  }
  const parent = choice.parent;
  if (c.lastCommittedTxn < parent.tipTx) {
    // A differential cannot go backwards; a full from this member is a new, older starting point.
    return {
      type: 'full',
      reason: `${c.member.id} is at transaction ${c.lastCommittedTxn}, behind the parent backup ${parent.file} (transaction ${parent.tipTx}), so a differential cannot follow it`,
      fallback: true,
    };
  }
  if (parent.tipTx + 1 < c.lowestAvailableTxn) {
    return {
      type: 'full',
      reason: `transactions ${parent.tipTx + 1}..${c.lowestAvailableTxn - 1} after the parent ${parent.file} were pruned from the transaction log of ${c.member.id} (lowest available: ${c.lowestAvailableTxn})`,
      fallback: true,
    };
  }
  return { type: 'diff', parent };
}

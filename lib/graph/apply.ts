/**
 * Applying logged transactions to a graph store: what recovery (a member replaying its log), replication and a
 * restore (replaying a differential chain) share. All records go in one SQLite transaction, so a failure leaves
 * the store as it was.
 */
import { decodeOps, type TxRecord } from './record';
import type { GraphStore } from './store';

/** Applies records to a store in one SQLite transaction (recovery, restore). */
export function applyRecords(store: GraphStore, records: TxRecord[]): void {
  if (records.length === 0) return;
  store.begin({ deferNodeRows: true });
  try {
    for (const r of records) store.applyResolved(decodeOps(r), r.txId);
    const last = records[records.length - 1];
    store.writeMeta({ lastTxId: last.txId, lastTxChecksum: last.checksum, lastCommitTime: last.commitTime });
    store.commit();
  } catch (e) {
    store.rollback();
    store.reloadMeta();
    throw e;
  }
}

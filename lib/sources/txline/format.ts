/**
 * The payload format of the `txline` kind: a full holds the member's SQLite GraphStore, a differential the
 * member's transaction records (lib/graph). The engine builds stores and checks artifacts through it.
 */
import { describeError } from '../../errors';
import { RecordStreamDecoder } from '../../graph/record';
import { GraphStore, checkConsistency } from '../../graph/store';
import { consumePayload, type Artifact } from '../../engine/artifact';
import type { PayloadFormat } from '../../engine/format';
import { buildStore } from './replay';
import { countsAt, readTransactions } from './transactions';

export const txlinePayload: PayloadFormat = {
  async buildStore(plan, workDir, opts) {
    const built = await buildStore(plan, workDir, opts);
    const m = built.meta;
    return {
      file: built.file,
      replayed: built.replayed,
      state: { lastTxId: m.lastTxId, lastTxChecksum: m.lastTxChecksum, lastCommitTime: m.lastCommitTime, nodes: m.nodeCount, relationships: m.relCount },
    };
  },

  checkFullStore(a, file) {
    let store: GraphStore;
    try {
      store = GraphStore.open(file);
    } catch (e) {
      return [`its store cannot be opened: ${describeError(e)}`];
    }
    try {
      const out = checkConsistency(store.db).map((p) => `inconsistent store: ${p}`);
      const m = store.meta;
      if (m.lastTxId !== a.tipTx) out.push(`its store is at transaction ${m.lastTxId}, the metadata says ${a.tipTx}`);
      if (m.storeId !== a.storeId || m.databaseId !== a.databaseId) out.push('its store belongs to another store or database ID than the metadata says');
      if (m.lastTxChecksum !== a.lastTxChecksum) out.push("its store's last transaction checksum differs from the metadata");
      return out;
    } finally {
      store.close();
    }
  },

  readTransactions,
  countsAt,

  async checkDiff(a: Artifact) {
    const decoder = new RecordStreamDecoder(a.file);
    let first: { txId: number; prevChecksum: number } | null = null;
    let last: { txId: number; checksum: number } | null = null;
    let count = 0;
    await consumePayload(a, async (src) => {
      for await (const chunk of src) {
        for (const r of decoder.push(chunk as Buffer)) {
          first ??= { txId: r.txId, prevChecksum: r.prevChecksum };
          last = { txId: r.txId, checksum: r.checksum };
          count++;
        }
      }
      decoder.end();
    });
    const f = first as { txId: number; prevChecksum: number } | null;
    const l = last as { txId: number; checksum: number } | null;
    if (!f || !l) return [`holds no transactions but claims ${a.lowestTx}..${a.highestTx}`];
    const out: string[] = [];
    if (f.txId !== a.lowestTx || l.txId !== a.highestTx || count !== a.txCount) out.push(`holds transactions ${f.txId}..${l.txId} (${count}) but claims ${a.lowestTx}..${a.highestTx} (${a.txCount})`);
    if (f.prevChecksum !== a.parentLastTxChecksum) out.push(`its first transaction does not follow the parent's last one (checksum)`);
    if (l.checksum !== a.lastTxChecksum) out.push(`its last transaction's checksum differs from the metadata`);
    return out;
  },
};

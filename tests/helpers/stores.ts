/**
 * Graph stores in temporary folders for tests of lib/graph: `tempStores(prefix).newStore()` opens a fresh store
 * (database `neo4j`, or the name given); every store is closed and its folder removed after each test.
 * `commitClientTx` commits a client transaction as a member does and returns its record, to replay elsewhere.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { ClientOp } from '../../lib/graph/ops';
import { encodeRecord, encodeTx, type TxRecord } from '../../lib/graph/record';
import { GraphStore } from '../../lib/graph/store';

/** One client transaction as the member commits it; returns its record (for replaying elsewhere). */
export function commitClientTx(s: GraphStore, ops: ClientOp[]): TxRecord {
  s.begin();
  const r = s.inSavepoint(() => s.applyClientOps(ops));
  const rec = encodeRecord(s.meta.lastTxId + 1, Date.now(), s.meta.lastTxChecksum, encodeTx(r.resolved, r.before));
  s.writeMeta({ lastTxId: rec.txId, lastTxChecksum: rec.checksum, lastCommitTime: rec.commitTime });
  s.commit();
  return rec;
}

export function tempStores(prefix: string): { newStore(name?: string): GraphStore; track(s: GraphStore): GraphStore } {
  const dirs: string[] = [];
  const stores: GraphStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const track = (s: GraphStore) => {
    stores.push(s);
    return s;
  };
  return {
    track,
    newStore(name = 'neo4j') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `txline-${prefix}-`));
      dirs.push(dir);
      return track(GraphStore.open(path.join(dir, 'store.sqlite'), { databaseName: name }));
    },
  };
}

/**
 * The transactions of a `txline` differential as generic changes (lib/engine/format.ts TxChanges), for
 * `backup log`, and the counts of a rebuilt store, for `backup preview`.
 *
 * A record's operations say what was created and what changed; its before-images (payload version 2,
 * lib/graph/record.ts) add what a deletion took (labels or type, properties, and the relationships a node
 * deletion took with it) and the labels of a changed node. A version 1 record has none: its deletions are IDs.
 */
import { RecordStreamDecoder, decodeTx, type TxRecord } from '../../graph/record';
import { GraphStore } from '../../graph/store';
import { consumePayload, type Artifact } from '../../engine/artifact';
import type { GraphCounts, TxChanges, TxTouch } from '../../engine/format';
import type { RestorePlan } from '../../engine/restore-plan';
import type { EngineLog, ProgressSink } from '../../engine/progress';
import { buildStore } from './replay';

type Draft = Omit<TxTouch, 'labels'> & { labels: Set<string> };

/** What one record created, changed and deleted. */
export function txChanges(rec: TxRecord): TxChanges {
  const { ops, before } = decodeTx(rec);
  const touches = new Map<string, Draft>();
  const touch = (entity: TxTouch['entity'], id: number, what: TxTouch['what']): Draft => {
    const key = `${entity === 'node' ? 'n' : 'r'}${id}`;
    let t = touches.get(key);
    if (!t) {
      t = { entity, id, what, labels: new Set(), type: null, after: {}, before: {} };
      touches.set(key, t);
    } else if (what === 'deleted') t.what = 'deleted';
    return t;
  };
  for (const op of ops) {
    switch (op.op) {
      case 'createNode': {
        const t = touch('node', op.id, 'created');
        for (const l of op.labels) t.labels.add(l);
        Object.assign(t.after, op.properties);
        break;
      }
      case 'createRelationship': {
        const t = touch('relationship', op.id, 'created');
        t.type = op.type;
        Object.assign(t.after, op.properties);
        break;
      }
      case 'setProperties':
      case 'removeProperty': {
        const t = op.node !== undefined ? touch('node', op.node, 'changed') : touch('relationship', op.relationship as number, 'changed');
        if (op.op === 'setProperties') Object.assign(t.after, op.properties);
        else t.after[op.key] = null;
        break;
      }
      case 'addLabels':
      case 'removeLabels': {
        const t = touch('node', op.node, 'changed');
        for (const l of op.labels) t.labels.add(l);
        break;
      }
      case 'deleteNode':
        touch('node', op.node, 'deleted');
        break;
      case 'deleteRelationship':
        touch('relationship', op.relationship, 'deleted');
        break;
    }
  }
  for (const img of before?.nodes ?? []) {
    const t = touch('node', img.id, img.deleted ? 'deleted' : 'changed');
    for (const l of img.labels) t.labels.add(l);
    Object.assign(t.before, img.properties);
  }
  for (const img of before?.relationships ?? []) {
    const t = touch('relationship', img.id, img.deleted ? 'deleted' : 'changed');
    t.type = img.type;
    Object.assign(t.before, img.properties);
  }
  return {
    txId: rec.txId,
    commitTime: rec.commitTime,
    beforeImages: before !== null,
    touches: [...touches.values()].map((t) => ({ ...t, labels: [...t.labels].sort() })),
  };
}

/**
 * Every name a transaction touched (label, type, property key) is in its payload as JSON.stringify wrote it
 * (the touches are read from nothing else), so a payload without one of `names` so written cannot match:
 * it is passed over without being parsed (Buffer.indexOf, native).
 */
export async function readTransactions(a: Artifact, filter: { want: (txId: number, commitTime: number) => boolean; names: string[] }, visit: (tx: TxChanges) => void): Promise<void> {
  const decoder = new RecordStreamDecoder(a.file);
  const needles = filter.names.map((n) => Buffer.from(JSON.stringify(n)));
  await consumePayload(a, async (src) => {
    for await (const chunk of src) {
      for (const r of decoder.push(chunk as Buffer)) {
        if (!filter.want(r.txId, r.commitTime)) continue;
        if (needles.every((n) => r.payload.includes(n))) visit(txChanges(r));
      }
    }
    decoder.end();
  });
}

export async function countsAt(plan: RestorePlan<Artifact>, workDir: string, opts: { log: EngineLog; progress?: ProgressSink; phase?: string }): Promise<GraphCounts> {
  const built = await buildStore(plan, workDir, opts);
  const store = GraphStore.openReader(built.file);
  try {
    const pairs = (sql: string) => Object.fromEntries((store.prepare(sql).raw().all() as Array<[string, number]>).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
    return {
      txId: built.meta.lastTxId,
      nodes: store.prepare('SELECT count(*) FROM nodes').pluck().get() as number,
      relationships: store.prepare('SELECT count(*) FROM rels').pluck().get() as number,
      labels: pairs('SELECT label, count(*) FROM node_labels GROUP BY label'),
      types: pairs('SELECT type, count(*) FROM rels GROUP BY type'),
    };
  } finally {
    store.close();
  }
}

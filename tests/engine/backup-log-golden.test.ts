/**
 * The two transaction record formats in the golden artifacts (tests/fixtures/artifacts): the chains of Txline
 * 27c8168 and 539ae5a hold payload version 1 (operations only), that of 062862f version 2 (operations, then
 * before-images). Both are read through the txline kind as `backup log` reads them; the restores of every set
 * are checked by golden.test.ts. The before-images of the version 2 set are those make-golden.ts's
 * transactions imply.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consumePayload, listArtifacts, type Artifact } from '../../lib/engine/artifact';
import type { TxChanges } from '../../lib/engine/format';
import { RecordStreamDecoder, decodeOps, decodeTx, type TxPayload } from '../../lib/graph/record';
import { readTransactions } from '../../lib/sources/txline/transactions';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/artifacts');

function diffsOf(folder: string): Artifact[] {
  return listArtifacts(path.join(FIXTURES, folder)).artifacts.filter((a) => !a.full).sort((a, b) => a.lowestTx - b.lowestTx);
}

async function payloads(folder: string): Promise<Array<TxPayload & { txId: number; opsAlone: unknown }>> {
  const out: Array<TxPayload & { txId: number; opsAlone: unknown }> = [];
  for (const a of diffsOf(folder)) {
    const dec = new RecordStreamDecoder(a.file);
    await consumePayload(a, async (src) => {
      for await (const c of src) for (const r of dec.push(c)) out.push({ ...decodeTx(r), txId: r.txId, opsAlone: decodeOps(r) });
      dec.end();
    });
  }
  return out;
}

async function changes(folder: string): Promise<Map<number, TxChanges>> {
  const out = new Map<number, TxChanges>();
  for (const a of diffsOf(folder)) await readTransactions(a, { want: () => true, names: [] }, (t) => out.set(t.txId, t));
  return out;
}

describe.each([
  { folder: 'zstd-27c8168', version: 1 },
  { folder: 'brotli-539ae5a', version: 1 },
  { folder: 'records2-062862f', version: 2 },
])('$folder: payload version $version', ({ folder, version }) => {
  it('every record is read as its version, and the operations are the same either way', async () => {
    const ps = await payloads(folder);
    expect(ps.map((p) => p.txId)).toEqual(Array.from({ length: 22 }, (_, i) => 17 + i));
    for (const p of ps) {
      expect(p.version, `transaction ${p.txId}`).toBe(version);
      expect(p.before === null).toBe(version === 1);
      expect(p.opsAlone).toEqual(p.ops);
    }
  });
});

it('version 1 and version 2 chains of the same transactions give the same operations', async () => {
  const v1 = await payloads('zstd-27c8168');
  const v2 = await payloads('records2-062862f');
  expect(v2.map((p) => p.ops)).toEqual(v1.map((p) => p.ops));
});

describe('records2-062862f: before-images', () => {
  it('a node deletion holds the node whole and the relationships it took', async () => {
    const ps = new Map((await payloads('records2-062862f')).map((p) => [p.txId, p]));
    // tx 37 deletes Bo (phase 3): created in tx 5 with LIVES_IN Lisbon; note and score set in tx 17; KNOWS from
    // Ada (tx 10) and to Cy (tx 11, since and strength set, via removed in tx 24-25); MEMBER_OF the club (tx 16)
    const bo = ps.get(37)?.before;
    expect(bo?.nodes).toEqual([
      { id: 4, deleted: true, labels: ['Person'], properties: { active: true, born: 1950, name: 'Bo', note: 'moved', score: -3.25, tags: ['golden', 'b4'] } },
    ]);
    expect(bo?.relationships.map((r) => [r.type, r.deleted, r.properties]).sort()).toEqual(
      [
        ['KNOWS', true, { since: 1970 }],
        ['KNOWS', true, { since: 2001, strength: 0.75 }],
        ['LIVES_IN', true, { since: 1970 }],
        ['MEMBER_OF', true, { rank: 1 }],
      ].sort(),
    );
    // a relationship deletion (tx 19: Di KNOWS Ada, the third KNOWS after six LIVES_IN, no properties)
    expect(ps.get(19)?.before).toEqual({ nodes: [], relationships: [{ id: 8, deleted: true, type: 'KNOWS', start: 6, end: 3, properties: {} }] });
  });

  it('a change holds the labels (or type) and the previous values of the keys it changed, null where absent', async () => {
    const ps = new Map((await payloads('records2-062862f')).map((p) => [p.txId, p]));
    // tx 17: Bo gets note (absent before) and score (1950 / 8 before)
    expect(ps.get(17)?.before?.nodes).toEqual([{ id: 4, deleted: false, labels: ['Person'], properties: { note: null, score: 243.75 } }]);
    // tx 21: Ada loses the label Pioneer: her labels before, no property
    expect(ps.get(21)?.before?.nodes).toEqual([{ id: 3, deleted: false, labels: ['Person', 'Pioneer', 'Vip'], properties: {} }]);
    // tx 25: via removed from the KNOWS Bo -> Cy
    expect(ps.get(25)?.before?.relationships).toEqual([{ id: 7, deleted: false, type: 'KNOWS', start: 4, end: 5, properties: { via: ['work', 'chess'] } }]);
    // tx 26 creates everything it touches: nothing existed before it
    expect(ps.get(26)?.before).toEqual({ nodes: [], relationships: [] });
  });

  it('backup log reads what the deletions took from the images; without them (version 1) only IDs', async () => {
    const v2 = await changes('records2-062862f');
    const v1 = await changes('zstd-27c8168');
    const summary = (t: TxChanges | undefined) => t?.touches.map((x) => `${x.what} ${x.entity} ${x.labels.join(':')}${x.type ?? ''}`).sort();
    expect(summary(v2.get(37))).toEqual(['deleted node Person', 'deleted relationship KNOWS', 'deleted relationship KNOWS', 'deleted relationship LIVES_IN', 'deleted relationship MEMBER_OF']);
    expect(summary(v1.get(37))).toEqual(['deleted node ']);
    expect(v1.get(37)?.beforeImages).toBe(false);
    expect(summary(v2.get(22))).toEqual(['deleted node Temp']);
    expect(v2.get(22)?.touches[0].before).toMatchObject({ n: 0, blob: 'x'.repeat(300) });
  });
});

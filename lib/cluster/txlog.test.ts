/**
 * Transaction records and the transaction log, on real files in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isTxlineError } from '../errors';
import {
  RECORD_HEADER_BYTES,
  RecordStreamDecoder,
  decodeOps,
  decodeRecordAt,
  encodeOps,
  encodeRecord,
  type TxRecord,
} from '../graph/record';
import { parseRetention } from './retention';
import { SEGMENT_HEADER_BYTES, TxLog, type TxLogOptions } from './txlog';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-txlog-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Makes `n` chained records after `prev`, each one createNode op with a payload of roughly `pad` bytes. */
function makeRecords(n: number, prev: { txId: number; checksum: number }, opts: { pad?: number; time?: number } = {}): TxRecord[] {
  const out: TxRecord[] = [];
  let p = prev;
  for (let i = 0; i < n; i++) {
    const txId = p.txId + 1;
    const payload = encodeOps([{ op: 'createNode', id: txId - 1, labels: ['T'], properties: { n: txId, pad: 'x'.repeat(opts.pad ?? 10) } }]);
    const rec = encodeRecord(txId, opts.time ?? 1_700_000_000_000 + txId, p.checksum, payload);
    out.push(rec);
    p = rec;
  }
  return out;
}

interface OpenLog {
  log: TxLog;
  events: string[];
  /** appends, syncs and commits `n` records in batches of `batch` */
  write(n: number, opts?: { pad?: number; time?: number; batch?: number }): Promise<TxRecord[]>;
}

function openLog(dir: string, storeId: string, opts: Partial<TxLogOptions> = {}, storeLast = { txId: 0, checksum: 0 }): OpenLog {
  const events: string[] = [];
  const log = new TxLog(dir, { rotationSize: 1024 * 1024, retention: { kind: 'keep_all' }, onEvent: (m) => events.push(m), ...opts });
  log.open(storeId, storeLast);
  return {
    log,
    events,
    async write(n, o = {}) {
      const all: TxRecord[] = [];
      const batch = o.batch ?? 1;
      while (all.length < n) {
        const recs = makeRecords(Math.min(batch, n - all.length), { txId: log.lastTxId, checksum: log.lastChecksum }, o);
        log.append(recs);
        await log.sync();
        log.markCommitted();
        all.push(...recs);
      }
      return all;
    },
  };
}

function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => /^tx-\d{20}\.log$/.test(n)).sort();
}

describe('transaction records', () => {
  it('encode and decode round-trip: ID, commit time, chain and operations', () => {
    const ops = [{ op: 'createNode' as const, id: 7, labels: ['Person'], properties: { name: 'Ada', age: 36 } }];
    const rec = encodeRecord(42, 1_700_000_123_456, 0xdeadbeef, encodeOps(ops));
    expect(rec.bytes.length).toBe(RECORD_HEADER_BYTES + rec.payload.length);
    const d = decodeRecordAt(rec.bytes, 0);
    expect(d.kind).toBe('record');
    if (d.kind !== 'record') return;
    expect(d.next).toBe(rec.bytes.length);
    expect(d.record.txId).toBe(42);
    expect(d.record.commitTime).toBe(1_700_000_123_456);
    expect(d.record.prevChecksum).toBe(0xdeadbeef);
    expect(d.record.checksum).toBe(rec.checksum);
    expect(decodeOps(d.record)).toEqual(ops);
  });

  it('the checksum covers the previous checksum: same content after a different parent gives a different checksum', () => {
    const payload = encodeOps([{ op: 'deleteNode', node: 1 }]);
    expect(encodeRecord(5, 1000, 1, payload).checksum).not.toBe(encodeRecord(5, 1000, 2, payload).checksum);
    expect(encodeRecord(5, 1000, 1, payload).checksum).toBe(encodeRecord(5, 1000, 1, payload).checksum);
  });

  it('detects a flipped byte anywhere in a record (header or payload)', () => {
    const rec = encodeRecord(3, 1_700_000_000_000, 99, encodeOps([{ op: 'createNode', id: 2, labels: [], properties: { k: 'value' } }]));
    // every byte after the length field: checksum, txId, commit time, prevChecksum, payload
    for (let i = 4; i < rec.bytes.length; i++) {
      const bad = Buffer.from(rec.bytes);
      bad[i] ^= 0x01;
      const d = decodeRecordAt(bad, 0);
      expect(d, `byte ${i}`).toEqual({ kind: 'corrupt', reason: 'checksum mismatch' });
    }
  });

  it('reports a record cut short as incomplete and an absurd length as corrupt', () => {
    const rec = encodeRecord(1, 1, 0, encodeOps([{ op: 'deleteNode', node: 0 }]));
    expect(decodeRecordAt(rec.bytes.subarray(0, rec.bytes.length - 1), 0).kind).toBe('incomplete');
    expect(decodeRecordAt(rec.bytes.subarray(0, 10), 0).kind).toBe('incomplete');
    const bad = Buffer.from(rec.bytes);
    bad.writeUInt32LE(0xffffffff, 0);
    expect(decodeRecordAt(bad, 0).kind).toBe('corrupt');
  });

  it('a stream decoder reassembles records split across chunks and checks the chain', () => {
    const recs = makeRecords(20, { txId: 0, checksum: 0 });
    const all = Buffer.concat(recs.map((r) => r.bytes));
    const dec = new RecordStreamDecoder('test stream');
    const got: number[] = [];
    for (let off = 0; off < all.length; off += 7) got.push(...dec.push(all.subarray(off, off + 7)).map((r) => r.txId));
    dec.end();
    expect(got).toEqual(recs.map((r) => r.txId));
    expect(dec.lastRecord?.checksum).toBe(recs[19].checksum);

    // a gap in the IDs
    const gap = new RecordStreamDecoder('gappy stream');
    expect(() => gap.push(Buffer.concat([recs[0].bytes, recs[2].bytes]))).toThrow(/transaction 3 does not follow transaction 1/);

    // a record from another history (same ID, different parent checksum)
    const other = makeRecords(1, { txId: 1, checksum: 12345 })[0];
    const fork = new RecordStreamDecoder('forked stream');
    expect(() => fork.push(Buffer.concat([recs[0].bytes, other.bytes]))).toThrow(/does not follow/);

    // a stream that stops inside a record
    const torn = new RecordStreamDecoder('torn stream');
    torn.push(all.subarray(0, all.length - 3));
    expect(() => torn.end()).toThrow(/ends inside a transaction record/);

    // a damaged byte
    const flipped = Buffer.from(all);
    flipped[recs[0].bytes.length + RECORD_HEADER_BYTES + 2] ^= 0x40;
    expect(() => new RecordStreamDecoder('damaged stream').push(flipped)).toThrow(/checksum mismatch/);
  });

  it('decodeOps names the transaction whose payload is unreadable', () => {
    const rec = encodeRecord(9, 1, 0, Buffer.from('{not json'));
    try {
      decodeOps(rec);
      expect.unreachable();
    } catch (e) {
      expect(isTxlineError(e, 'ARTIFACT_CORRUPT')).toBe(true);
      expect(String(e)).toMatch(/Transaction 9/);
    }
  });
});

describe('transaction log', () => {
  it('appends, syncs and reads back committed records; reopening finds where it ends', async () => {
    const dir = tmp();
    const storeId = randomUUID();
    const a = openLog(dir, storeId);
    const written = await a.write(150, { batch: 7 });
    expect(a.log.lastTxId).toBe(150);
    expect(a.log.lowestAvailableTxn(0)).toBe(1);
    expect(a.log.readRecords(1)?.map((r) => r.txId)).toEqual(written.map((r) => r.txId));
    // reads from the middle (past the sparse index) return exactly the right records
    expect(a.log.readRecords(100, 3)?.map((r) => r.txId)).toEqual([100, 101, 102]);
    expect(a.log.readRecords(100, 1)?.[0].checksum).toBe(written[99].checksum);
    expect(a.log.readRecords(151)).toEqual([]);
    a.log.close();

    const b = openLog(dir, storeId, {}, { txId: 150, checksum: written[149].checksum });
    expect(b.log.lastTxId).toBe(150);
    expect(b.log.lastChecksum).toBe(written[149].checksum);
    expect(b.log.readRecords(1)?.length).toBe(150);
    b.log.close();
  });

  it('readers see only what markCommitted has published', async () => {
    const dir = tmp();
    const a = openLog(dir, randomUUID());
    await a.write(5);
    a.log.append(makeRecords(3, { txId: 5, checksum: a.log.lastChecksum }));
    await a.log.sync();
    expect(a.log.committedLastTxId).toBe(5);
    expect(a.log.readRecords(1)?.map((r) => r.txId)).toEqual([1, 2, 3, 4, 5]);
    expect(a.log.readRecords(6)).toEqual([]);
    a.log.markCommitted();
    expect(a.log.readRecords(6)?.map((r) => r.txId)).toEqual([6, 7, 8]);
    a.log.close();
  });

  it('refuses a record that does not continue the log', async () => {
    const a = openLog(tmp(), randomUUID());
    await a.write(3);
    expect(() => a.log.append(makeRecords(1, { txId: 4, checksum: 0 }))).toThrow(/expected transaction 4, got 5/);
    a.log.close();
  });

  it('rotates to a new segment when a segment reaches the rotation size', async () => {
    const dir = tmp();
    const rotationSize = 4096;
    const a = openLog(dir, randomUUID(), { rotationSize });
    await a.write(100, { pad: 100 });
    const segs = a.log.segmentsInfo();
    expect(segs.length).toBeGreaterThan(2);
    expect(segmentFiles(dir)).toEqual(segs.map((s) => s.file));
    // contiguous, each named after its first transaction, and each closed one just past the rotation size
    for (let i = 0; i < segs.length; i++) {
      expect(segs[i].file).toBe(`tx-${String(segs[i].firstTxId).padStart(20, '0')}.log`);
      if (i > 0) expect(segs[i].firstTxId).toBe(segs[i - 1].lastTxId + 1);
      if (i < segs.length - 1) {
        expect(segs[i].size).toBeGreaterThanOrEqual(rotationSize);
        // one record of ~170 bytes may overshoot, not more
        expect(segs[i].size).toBeLessThan(rotationSize + 400);
      }
      expect(fs.statSync(path.join(dir, segs[i].file)).size).toBe(segs[i].size);
    }
    expect(segs[0].firstTxId).toBe(1);
    expect(segs[segs.length - 1].lastTxId).toBe(100);
    // reads cross segment boundaries
    expect(a.log.readRecords(1)?.map((r) => r.txId)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    a.log.close();
  });

  it.each([
    ['2 files', (segs: number) => expect(segs).toBe(2)],
    ['1 file', (segs: number) => expect(segs).toBe(1)],
    ['10K size', () => undefined],
    ['30 txs', () => undefined],
  ])('prunes old segments by retention "%s", raising lowestAvailableTxn', async (policy, checkCount) => {
    const dir = tmp();
    const storeId = randomUUID();
    const retention = parseRetention(policy);
    const a = openLog(dir, storeId, { rotationSize: 2048, retention });
    await a.write(200, { pad: 100 });
    const segs = a.log.segmentsInfo();
    const lowest = a.log.lowestAvailableTxn(200);
    expect(lowest).toBeGreaterThan(1);
    expect(lowest).toBe(segs[0].firstTxId);
    expect(segmentFiles(dir)).toEqual(segs.map((s) => s.file));
    checkCount(segs.length);
    expect(a.events.some((e) => e.includes('pruned') && e.includes(`lowest available transaction is now`))).toBe(true);
    // what is left is still whole and readable from the lowest available transaction
    expect(a.log.readRecords(lowest)?.map((r) => r.txId)).toEqual(Array.from({ length: 201 - lowest }, (_, i) => lowest + i));
    // below the window: null (the member answers TX_PRUNED)
    expect(a.log.readRecords(lowest - 1)).toBeNull();
    expect(a.log.readRecords(1)).toBeNull();
    if (retention.kind === 'size') {
      // what is kept is not more than the limit plus the segment being written
      const closed = segs.slice(0, -1).reduce((s, x) => s + x.size, 0);
      expect(closed).toBeLessThanOrEqual(retention.bytes);
    }
    if (retention.kind === 'txs') {
      // at least the last 30 transactions are kept, and the oldest kept segment is needed for them
      expect(200 - lowest + 1).toBeGreaterThanOrEqual(30);
      expect(200 - segs[0].lastTxId).toBeLessThan(30);
    }
    a.log.close();
    // pruning survives a restart
    const b = openLog(dir, storeId, { rotationSize: 2048, retention }, { txId: 200, checksum: a.log.lastChecksum });
    expect(b.log.lowestAvailableTxn(200)).toBe(lowest);
    expect(b.log.lastTxId).toBe(200);
    b.log.close();
  });

  it('"N files" keeps at most N segment files on disk at every moment, the one being written included', async () => {
    for (const n of [1, 2, 3]) {
      const dir = tmp();
      const a = openLog(dir, randomUUID(), { rotationSize: 2048, retention: parseRetention(`${n} files`) });
      let most = 0;
      let rotations = 0;
      for (let i = 0; i < 200; i++) {
        const before = segmentFiles(dir);
        await a.write(1, { pad: 100 });
        const after = segmentFiles(dir);
        if (after.at(-1) !== before.at(-1)) rotations++;
        most = Math.max(most, after.length);
        expect(after).toEqual(a.log.segmentsInfo().map((s) => s.file));
      }
      expect(rotations).toBeGreaterThan(n + 2);
      expect(most, `${n} files`).toBe(n);
      // what is kept is whole and readable, up to the last transaction
      const lowest = a.log.lowestAvailableTxn(200);
      expect(a.log.readRecords(lowest)?.map((r) => r.txId)).toEqual(Array.from({ length: 201 - lowest }, (_, i) => lowest + i));
      a.log.close();
    }
  });

  it('prunes by age: segments whose last commit is older than the policy go, the newest stays', async () => {
    const dir = tmp();
    const day = 86_400_000;
    const t0 = 1_700_000_000_000;
    const storeId = randomUUID();
    // rotation prunes with the real clock, so these old-looking records would go at once: write them with
    // a keep-all log, then apply the age policy explicitly at chosen times
    const w = openLog(dir, storeId, { rotationSize: 2048, retention: { kind: 'keep_all' } });
    await w.write(40, { pad: 100, time: t0 });
    await w.write(40, { pad: 100, time: t0 + 3 * day });
    const segsBefore = w.log.segmentsInfo();
    w.log.close();
    const last = w.log.lastChecksum;
    const aged = openLog(dir, storeId, { rotationSize: 2048, retention: parseRetention('2 days') }, { txId: 80, checksum: last });
    expect(aged.log.segmentsInfo()).toEqual(segsBefore);
    // one day after the old records: nothing is old enough
    expect(aged.log.prune(t0 + day)).toEqual([]);
    expect(aged.log.lowestAvailableTxn(80)).toBe(1);
    // three days after the old ones, one hour after the new ones: only segments holding old records only go
    const gone = aged.log.prune(t0 + 3 * day + 3_600_000);
    expect(gone.length).toBeGreaterThan(0);
    const lowest = aged.log.lowestAvailableTxn(80);
    expect(lowest).toBeGreaterThan(1);
    expect(lowest).toBeLessThanOrEqual(41);
    expect(aged.log.readRecords(41)?.length).toBe(40);
    // far in the future every closed segment is old, but the newest one is never pruned
    aged.log.prune(t0 + 100 * day);
    expect(aged.log.segmentsInfo().length).toBe(1);
    expect(aged.log.readRecords(aged.log.lowestAvailableTxn(80))?.at(-1)?.txId).toBe(80);
    aged.log.close();
  });

  it('cuts a torn last record at open() and continues after it', async () => {
    const dir = tmp();
    const storeId = randomUUID();
    const a = openLog(dir, storeId);
    const written = await a.write(10);
    a.log.close();
    const [file] = segmentFiles(dir);
    const full = path.join(dir, file);
    const goodSize = fs.statSync(full).size;
    // a crash in the middle of writing transaction 11: half a record at the end
    const torn = makeRecords(1, { txId: 10, checksum: written[9].checksum })[0];
    fs.appendFileSync(full, torn.bytes.subarray(0, torn.bytes.length - 5));

    const b = openLog(dir, storeId, {}, { txId: 10, checksum: written[9].checksum });
    const info = b.log.segmentsInfo();
    expect(b.log.lastTxId).toBe(10);
    expect(fs.statSync(full).size).toBe(goodSize);
    expect(b.events.some((e) => e.includes('cut a torn or damaged record'))).toBe(true);
    expect(info[0].lastTxId).toBe(10);
    // the log continues: transaction 11 (a different one) is appended and read back
    const next = await b.write(5);
    expect(next[0].txId).toBe(11);
    expect(b.log.readRecords(1)?.map((r) => r.txId)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    b.log.close();
    // and survives another reopen intact
    const c = openLog(dir, storeId, {}, { txId: 15, checksum: next[4].checksum });
    expect(c.log.lastTxId).toBe(15);
    expect(c.events.filter((e) => e.includes('cut'))).toEqual([]);
    expect(c.log.readRecords(11)?.map((r) => r.checksum)).toEqual(next.map((r) => r.checksum));
    c.log.close();
  });

  it('cuts a damaged (flipped byte) record and everything after it', async () => {
    const dir = tmp();
    const storeId = randomUUID();
    const a = openLog(dir, storeId);
    const written = await a.write(10);
    a.log.close();
    const full = path.join(dir, segmentFiles(dir)[0]);
    const buf = fs.readFileSync(full);
    // damage the payload of transaction 8
    const off8 = SEGMENT_HEADER_BYTES + written.slice(0, 7).reduce((s, r) => s + r.bytes.length, 0);
    buf[off8 + RECORD_HEADER_BYTES + 3] ^= 0xff;
    fs.writeFileSync(full, buf);
    // the store had only applied 7: the log ends at 7
    const b = openLog(dir, storeId, {}, { txId: 7, checksum: written[6].checksum });
    expect(b.log.lastTxId).toBe(7);
    expect(fs.statSync(full).size).toBe(off8);
    b.log.close();
  });

  it('removes segments of another store ID at open()', async () => {
    const storeB = randomUUID();
    const dirB = tmp();
    const b = openLog(dirB, storeB);
    const bRecs = await b.write(5);
    b.log.close();
    // a segment of another store that would chain perfectly onto B's log (left over by a crash during a
    // store install, say): only its store ID tells it apart
    const dirA = tmp();
    const a = openLog(dirA, randomUUID(), {}, { txId: 5, checksum: bRecs[4].checksum });
    await a.write(5);
    a.log.close();
    const [aFile] = segmentFiles(dirA);
    expect(aFile).toBe('tx-00000000000000000006.log');
    fs.copyFileSync(path.join(dirA, aFile), path.join(dirB, aFile));
    // and a stray file that is no segment at all is removed too when it has a segment's name
    fs.writeFileSync(path.join(dirB, 'tx-00000000000000000011.log'), 'garbage');

    const events: string[] = [];
    const log = new TxLog(dirB, { rotationSize: 1 << 20, retention: { kind: 'keep_all' }, onEvent: (m) => events.push(m) });
    const r = log.open(storeB, { txId: 5, checksum: bRecs[4].checksum });
    expect(r.removedSegments.sort()).toEqual(['tx-00000000000000000006.log', 'tx-00000000000000000011.log']);
    expect(r.lastTxId).toBe(5);
    expect(segmentFiles(dirB)).toEqual(['tx-00000000000000000001.log']);
    expect(log.readRecords(1)?.length).toBe(5);
    log.close();
  });

  describe('joining the store', () => {
    async function logOf10(): Promise<{ dir: string; storeId: string; recs: TxRecord[] }> {
      const dir = tmp();
      const storeId = randomUUID();
      const a = openLog(dir, storeId);
      const recs = await a.write(10);
      a.log.close();
      return { dir, storeId, recs };
    }

    it('a store behind the log: the log ends at its end, and serves the records to recover', async () => {
      const { dir, storeId, recs } = await logOf10();
      const log = new TxLog(dir, { rotationSize: 1 << 20, retention: { kind: 'keep_all' } });
      const r = log.open(storeId, { txId: 6, checksum: recs[5].checksum });
      expect(r.lastTxId).toBe(10);
      expect(log.readRecords(7)?.map((x) => x.txId)).toEqual([7, 8, 9, 10]);
      log.close();
    });

    it('a store with a different history at the same ID: the log starts anew after the store', async () => {
      const { dir, storeId, recs } = await logOf10();
      const log = new TxLog(dir, { rotationSize: 1 << 20, retention: { kind: 'keep_all' } });
      const r = log.open(storeId, { txId: 6, checksum: (recs[5].checksum + 1) >>> 0 });
      expect(r.lastTxId).toBe(6);
      expect(segmentFiles(dir)).toEqual([]);
      expect(log.lowestAvailableTxn(6)).toBe(7);
      expect(log.readRecords(1)).toBeNull();
      log.close();
    });

    it('a store ahead of the log (the log lost its tail): the log starts anew after the store', async () => {
      const { dir, storeId } = await logOf10();
      const log = new TxLog(dir, { rotationSize: 1 << 20, retention: { kind: 'keep_all' } });
      const r = log.open(storeId, { txId: 20, checksum: 777 });
      expect(r.lastTxId).toBe(20);
      expect(r.lastChecksum).toBe(777);
      expect(log.lowestAvailableTxn(20)).toBe(21);
      // and it continues from the store's transaction
      log.append(makeRecords(1, { txId: 20, checksum: 777 }));
      await log.sync();
      log.markCommitted();
      expect(log.readRecords(21)?.[0].prevChecksum).toBe(777);
      log.close();
    });

    it('a log that starts right after the store (pruned below it) joins', async () => {
      const dir = tmp();
      const storeId = randomUUID();
      const a = openLog(dir, storeId, {}, { txId: 50, checksum: 4242 });
      await a.write(5);
      a.log.close();
      const log = new TxLog(dir, { rotationSize: 1 << 20, retention: { kind: 'keep_all' } });
      expect(log.open(storeId, { txId: 50, checksum: 4242 }).lastTxId).toBe(55);
      expect(log.lowestAvailableTxn(50)).toBe(51);
      log.close();
    });

    it('reset() drops every segment and starts a new history', async () => {
      const { dir, storeId } = await logOf10();
      const log = new TxLog(dir, { rotationSize: 1 << 20, retention: { kind: 'keep_all' } });
      log.open(storeId, { txId: 10, checksum: 0 });
      const newStore = randomUUID();
      log.reset(newStore, { txId: 3, checksum: 33 });
      expect(segmentFiles(dir)).toEqual([]);
      expect(log.lastTxId).toBe(3);
      log.append(makeRecords(2, { txId: 3, checksum: 33 }));
      await log.sync();
      log.markCommitted();
      log.close();
      const again = new TxLog(dir, { rotationSize: 1 << 20, retention: { kind: 'keep_all' } });
      expect(again.open(newStore, { txId: 3, checksum: 33 }).lastTxId).toBe(5);
      again.close();
    });
  });
});

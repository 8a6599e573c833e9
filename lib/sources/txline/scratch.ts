/**
 * Scratch databases of the `txline` kind, for restore drills (lib/engine/drill.ts): a drill restores into one,
 * reads it, checks the consistency of the store the writer serves, and drops it. A drop is the writer's; the
 * other members drop their copy when they see it gone (lib/cluster/replicator.ts), which dropDatabase awaits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { TxlineError, describeError, isTxlineError } from '../../errors';
import { MemberClient } from '../../cluster/client';
import { GraphStore, checkConsistency } from '../../graph/store';
import type { ScratchDatabases, Topology } from '../../engine/source';
import type { TxlineSource } from './source';

const DROP_WAIT_MS = 30_000;
const WRITER_WAIT_MS = 30_000;

export function txlineScratch(source: Pick<TxlineSource, 'topology' | 'fullStore'>): ScratchDatabases {
  // A writer busy after sending or receiving a big store may answer late: asked again for WRITER_WAIT_MS.
  const writerOf = async (): Promise<{ topo: Topology; writer: MemberClient }> => {
    const deadline = Date.now() + WRITER_WAIT_MS;
    for (;;) {
      const topo = await source.topology();
      if (topo.writer) return { topo, writer: new MemberClient(topo.writer.address) };
      if (Date.now() > deadline) throw new TxlineError('SOURCE_UNREACHABLE', `cannot find the writer of the cluster within ${WRITER_WAIT_MS / 1000} s`);
      await sleep(500);
    }
  };
  return {
    async databaseNames() {
      const topo = await source.topology();
      return [...new Set(topo.databases.map((d) => d.name))].sort();
    },
    async probeRead(name) {
      const { writer } = await writerOf();
      await writer.nodes(name, undefined, 1);
    },
    async digest(name, opts) {
      const { writer } = await writerOf();
      return writer.digest(name, { scratch: true, ordered: opts.ordered });
    },
    async checkConsistency(name, workDir) {
      const { topo } = await writerOf();
      const writer = topo.writer as NonNullable<Topology['writer']>;
      const file = path.join(workDir, 'served.sqlite');
      const store = await source.fullStore(name, writer);
      if (store.encoding !== 'none') {
        store.stream.destroy();
        throw new TxlineError('INTERNAL', `${writer.id} sent the store of ${name} ${store.encoding}-encoded, unasked`);
      }
      await pipeline(store.stream, fs.createWriteStream(file, { highWaterMark: 1024 * 1024 }));
      let g: GraphStore;
      try {
        g = GraphStore.open(file);
      } catch (e) {
        return [`the store ${writer.id} serves cannot be opened: ${describeError(e)}`];
      }
      try {
        return checkConsistency(g.db);
      } finally {
        g.close();
        fs.rmSync(file, { force: true });
      }
    },
    async dropDatabase(name) {
      const { topo, writer } = await writerOf();
      if (topo.databases.some((d) => d.name === name)) {
        try {
          await writer.dropDatabase(name);
        } catch (e) {
          if (!isTxlineError(e, 'DATABASE_NOT_FOUND')) throw e;
        }
      }
      const deadline = Date.now() + DROP_WAIT_MS;
      for (;;) {
        const left = (await source.topology()).databases.filter((d) => d.name === name).map((d) => d.member.id);
        if (left.length === 0) return;
        if (Date.now() > deadline) throw new TxlineError('SOURCE_UNREACHABLE', `${name} is dropped on the writer but still on ${left.join(', ')} after ${DROP_WAIT_MS / 1000} s`);
        await sleep(100);
      }
    },
  };
}

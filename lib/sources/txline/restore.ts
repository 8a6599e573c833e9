/**
 * The restore of the `txline` kind: the store is rebuilt from the chain in a private temporary folder (the
 * full's store, then the differentials' transactions replayed up to the point; every artifact read whole and
 * verified), already named for the target and given its new store ID, and only then installed on every
 * member at once (./install.ts): the bytes rebuilt are the bytes each member installs. When the writer is on
 * this host, the store is rebuilt in an incoming file it reserved, and only the other members get copies; those
 * on this host reserve files before the rebuild too, get the full's store while the differentials are replayed,
 * and then only the pages the replay changed.
 */
import fs from 'node:fs';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { cleanStaleWorkDirs, makeWorkDir } from '../../cleanup';
import { TxlineError } from '../../errors';
import { buildStore } from './replay';
import type { RestoreOutcome, RestoreRequest } from '../../engine/source';
import type { TxlineSource } from './source';
import { giveUpLocal, type LocalSink } from './install';

export async function restoreChain(source: Pick<TxlineSource, 'installStore' | 'reserveForBuild'>, req: RestoreRequest): Promise<RestoreOutcome> {
  const { plan, log } = req;
  const head = plan.chain[0];
  const base = req.tempPath ?? os.tmpdir();
  for (const m of cleanStaleWorkDirs(base)) log.info(m);
  const work = makeWorkDir(base, 'restore', req.target);
  let sinks: LocalSink[] = [];
  try {
    const storeId = randomUUID();
    const databaseId = req.existing?.databaseId ?? (req.target === req.database ? head.databaseId : randomUUID());
    // On this host, rebuilt in the file the writer reserved for it (the writer's copy is the rebuilt file), and
    // the full's store unpacked into the files the other members reserved too (they get the changed pages).
    sinks = await source.reserveForBuild(req.target, { storeId, databaseId }, (m) => log.debug?.(m));
    const into = sinks.find((s) => s.holds === 'rebuilt');
    const copies = sinks.filter((s) => s.holds === 'full');
    log.debug?.(`rebuilding the store in ${into ? `${into.file}, reserved by ${into.member.id}` : work.dir}${copies.length ? `, the full's store also in the files ${copies.map((c) => c.member.id).join(', ')} reserved` : ''}`);
    for (const a of plan.chain) log.debug?.(`reading ${a.file}: ${a.full ? 'full' : 'differential'}, transactions ${a.lowestTx}..${a.highestTx}, ${a.payload.sizeBytes} bytes (${a.codec})`);
    // Rebuilt straight into the store the members receive: the target's name and the new identity are in it.
    const built = await buildStore(plan, work.dir, { log, progress: req.progress, phase: 'restore', finalize: { databaseName: req.target, storeId, databaseId }, into, copies: copies.map((c) => c.fd) });
    if (into) sameFile(into);
    log.info(`Rebuilt ${req.database} at transaction ${built.meta.lastTxId} (replayed ${built.replayed} transactions after the full backup at ${head.tipTx}); every artifact verified`);
    // The content digest is the one the rebuilt store keeps (the full's sum moved by every replayed row: no
    // second read of the store); each member must report the SHA-256 of what it received and installed equal
    // to what was sent. Drills compute the digest of what the target serves from scratch (drill.ts).
    const contentDigest = Promise.resolve(built.digest);
    const size = fs.statSync(built.file).size;
    const tx = { txDone: built.replayed, txTotal: built.replayed };
    const install = await source.installStore(req.target, built.file, {
      overwrite: req.overwrite,
      storeId,
      databaseId,
      contentDigest,
      prepared: { sinks, changed: built.changed },
      log: (m) => log.info(m),
      // Bytes: of the rebuilt store sent to every member at once (all of them once it is installed).
      onProgress: (p) =>
        req.progress?.({ ...p, phase: `install:${p.phase}`, database: req.target, bytesDone: p.phase === 'stop' ? 0 : p.phase === 'install' ? (p.bytesDone ?? 0) : size, bytesTotal: size, ...tx }),
    });
    return { restoredTx: built.meta.lastTxId, replayed: built.replayed, storeId, databaseId, install, storeBytes: size };
  } catch (e) {
    await giveUpLocal(sinks);
    throw e;
  } finally {
    for (const s of sinks) s.close();
    work.remove();
  }
}

/**
 * SQLite opened the reserved file by its path: it must still be the file opened (and checked) as the
 * reservation, not another one swapped in under that name while the store was rebuilt.
 */
function sameFile(into: LocalSink): void {
  const byPath = fs.lstatSync(into.file, { bigint: true });
  const byFd = fs.fstatSync(into.fd, { bigint: true });
  if (!byPath.isFile() || byPath.dev !== byFd.dev || byPath.ino !== byFd.ino) {
    throw new TxlineError('IO_ERROR', `${into.file}, reserved by ${into.member.id}, was replaced while the store was rebuilt in it; nothing was installed`);
  }
}

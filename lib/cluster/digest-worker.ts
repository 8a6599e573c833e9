/**
 * Digests of big stores from scratch on a worker thread, with its own read-only connection, so the member or
 * the drill goes on answering (a 1 GiB store takes seconds). The worker runs computeContentSum and digestStore
 * from their source text: one implementation for both threads.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { TxlineError } from '../errors';
import { computeContentSum } from '../graph/content-sum';
import { digestStore, type Digest } from '../graph/store';

const requireHere = createRequire(import.meta.url);

// `__name`: the TypeScript loader (tsx) wraps inner functions in a naming helper the worker does not have.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const Database = require(workerData.sqlite);
const __name = (f) => f;
const computeContentSum = ${computeContentSum.toString()};
const digestStore = ${digestStore.toString()};
const hash = crypto.hash ? (line) => crypto.hash('sha256', line, 'latin1') : (line) => crypto.createHash('sha256').update(line).digest('binary');
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
try {
  const digest = db.transaction(() => {
    const d = computeContentSum(db, hash);
    if (workerData.ordered) d.orderedHash = digestStore(db, () => crypto.createHash('sha256')).contentHash;
    return d;
  })();
  parentPort.postMessage({ digest });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) });
} finally {
  db.close();
}
`;

/** The digest of the store `file` from scratch (computeDigest), on a worker thread. */
export function digestOnWorker(file: string, opts: { ordered?: boolean } = {}): Promise<Digest> {
  return new Promise((resolve, reject) => {
    const w = new Worker(SOURCE, { eval: true, workerData: { file, ordered: opts.ordered === true, sqlite: requireHere.resolve('better-sqlite3') } });
    w.once('message', (m: { digest?: Digest; error?: string }) => {
      if (m.digest) resolve(m.digest);
      else reject(new TxlineError('INTERNAL', `could not compute the digest of ${file}: ${m.error}`));
    });
    w.once('error', (e) => reject(new TxlineError('INTERNAL', `the digest worker failed: ${e.message}`, { cause: e })));
    w.once('exit', (code) => {
      if (code !== 0) reject(new TxlineError('INTERNAL', `the digest worker exited with code ${code}`));
    });
  });
}

/**
 * Digests of big stores on a worker thread, with its own read-only connection, so the member goes on
 * answering (a 1 GiB store takes seconds). The worker runs digestStore from its source text: one
 * implementation for both threads.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { TxlineError } from '../errors';
import { digestStore, type Digest } from '../graph/store';

const requireHere = createRequire(import.meta.url);

// `__name`: the TypeScript loader (tsx) wraps inner functions in a naming helper the worker does not have.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const Database = require(workerData.sqlite);
const __name = (f) => f;
const digestStore = ${digestStore.toString()};
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
try {
  parentPort.postMessage({ digest: digestStore(db, () => createHash('sha256')) });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) });
} finally {
  db.close();
}
`;

export function digestOnWorker(file: string): Promise<Digest> {
  return new Promise((resolve, reject) => {
    const w = new Worker(SOURCE, { eval: true, workerData: { file, sqlite: requireHere.resolve('better-sqlite3') } });
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

/**
 * SHA-256 on a worker thread, with a small pool of batch buffers that travel between the writer and the
 * hashing thread (transferred, never copied, never garbage): the writer fills a pool buffer, writes it, hands
 * it to the worker, and gets it back once hashed. On a 1 GiB uncompressed backup, hashing on the main thread
 * had taken ~0.6 s of a ~1.7 s run; a buffer per batch instead of a pool had doubled the process's memory.
 */
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
parentPort.on('message', (m) => {
  if (m === null) return parentPort.postMessage({ digest: hash.digest('hex') });
  hash.update(new Uint8Array(m.buffer, 0, m.length));
  parentPort.postMessage({ back: m.buffer }, [m.buffer]);
});
`;

export class ThreadedHash {
  private readonly worker = new Worker(SOURCE, { eval: true });
  private readonly free: ArrayBuffer[] = [];
  private allocated = 0;
  private waiting: Array<() => void> = [];
  private digestWaiter: ((hex: string) => void) | null = null;
  private failure: Error | null = null;

  /** Buffers of `size` bytes; at most `poolSize` exist (the writer waits for one to come back). */
  constructor(
    readonly size: number,
    private readonly poolSize = 4,
  ) {
    this.worker.on('message', (m: { back?: ArrayBuffer; digest?: string }) => {
      if (m.back) {
        this.free.push(m.back);
        this.waiting.shift()?.();
      } else if (m.digest !== undefined) this.digestWaiter?.(m.digest);
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      for (const w of this.waiting.splice(0)) w();
    });
  }

  /** A pool buffer to fill (waits while every buffer is being hashed). */
  async acquire(): Promise<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      const ab = this.free.pop();
      if (ab) return Buffer.from(ab);
      if (this.allocated < this.poolSize) {
        this.allocated++;
        return Buffer.from(new ArrayBuffer(this.size));
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  /** Hashes the first `length` bytes of a buffer from `acquire()`, which goes to the worker and back to the pool. */
  update(buf: Buffer, length: number): void {
    const ab = buf.buffer as ArrayBuffer;
    this.worker.postMessage({ buffer: ab, length }, [ab]);
  }

  async digest(): Promise<string> {
    if (this.failure) throw this.failure;
    const hex = new Promise<string>((r) => (this.digestWaiter = r));
    this.worker.postMessage(null);
    const d = await hex;
    await this.worker.terminate();
    return d;
  }

  destroy(): void {
    void this.worker.terminate();
  }
}

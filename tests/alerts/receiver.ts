/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 (port 0) that records every request's raw body,
 * headers and arrival time, and answers with the status `answer(n)` gives the n-th request (200 by default),
 * after `opts.delayMs(n)` milliseconds.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(answer: (n: number) => number | 'hang' = () => 200, opts: { delayMs?: (n: number) => number } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = { unparsable: raw };
      }
      received.push({ at: performance.now(), headers: req.headers, raw, body });
      const n = received.length;
      const status = answer(n);
      if (status === 'hang') return; // never answers: the sender's timeout must end it
      const reply = () => res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      const delay = opts.delayMs?.(n) ?? 0;
      if (delay > 0) setTimeout(reply, delay);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A trickling member: a real HTTP server on 127.0.0.1 in front of a real member. Requests it is told to
 * trickle get the member's own answer, headers at once and then its body one byte every `everyMs`
 * (never an idle socket, never done), or with `lateMs`, whole but that late; the others are passed through.
 * It counts the requests it is answering, to show how many a client keeps in flight.
 */
import http from 'node:http';
import type net from 'node:net';

export interface TrickleMember {
  address: string;
  /** requests being answered now, and the most at once so far */
  open(): number;
  maxOpen(): number;
  /** paths asked, in order */
  asked: string[];
  /** when a path starting with `prefix` was first asked, or null */
  firstAsked(prefix: string): number | null;
  /** when the first trickled answer started (its headers sent), or null */
  trickleStartedAt(): number | null;
  close(): Promise<void>;
}

export async function trickleMember(
  target: string,
  opts: { trickle: (req: http.IncomingMessage) => boolean; everyMs?: number; lateMs?: number },
): Promise<TrickleMember> {
  const everyMs = opts.everyMs ?? 500;
  const [host, port] = target.split(':');
  let open = 0;
  let maxOpen = 0;
  const asked: string[] = [];
  const askedAt: number[] = [];
  let startedAt: number | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    askedAt.push(Date.now());
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    const headers = { ...req.headers };
    delete headers.host;
    const up = http.request({ host, port: Number(port), method: req.method, path: req.url, headers, agent: false }, async (upRes) => {
      if (!opts.trickle(req)) {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of upRes) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      if (opts.lateMs !== undefined) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(body);
        }, opts.lateMs);
        timers.add(timer);
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      res.flushHeaders();
      startedAt ??= Date.now();
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent >= body.length) return;
        res.write(body.subarray(sent, sent + 1));
        sent++;
      }, everyMs);
      timers.add(timer);
      res.on('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    open: () => open,
    maxOpen: () => maxOpen,
    asked,
    firstAsked: (prefix) => {
      const i = asked.findIndex((p) => p.startsWith(prefix));
      return i < 0 ? null : askedAt[i];
    },
    trickleStartedAt: () => startedAt,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

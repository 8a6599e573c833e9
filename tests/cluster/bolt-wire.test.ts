/**
 * The members' Bolt port against peers that do not follow the protocol: garbage, a wrong magic, no common
 * version, a malformed message, a message before login, a huge message, and peers that stall. Each one's
 * connection is closed within a bound, and the member keeps serving the real driver.
 *
 * The stalling peers run against a member's Bolt server started in this process with short timeouts (the
 * member processes use the production bounds: 15 s to log in, 30 s per message).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkDecoder, frame } from '../../lib/cluster/bolt/framing';
import { startMemberBolt } from '../../lib/cluster/bolt';
import { decode, encode, Structure, type PackValue } from '../../lib/cluster/bolt/packstream';
import { splitAddress } from '../../lib/net/address';
import { Member } from '../../lib/cluster/member';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';

const MAGIC = Buffer.from('6060b017', 'hex');
/** a handshake proposing exactly Bolt 5.4 */
const HANDSHAKE_54 = Buffer.concat([MAGIC, Buffer.from('00000405000000000000000000000000', 'hex')]);
const msg = (signature: number, ...fields: PackValue[]) => frame(encode(new Structure(signature, fields)));

/** A raw connection: what it received, and whether (and when) the server closed it. */
async function connect(address: string) {
  const [host, port] = splitAddress(address);
  const sock = net.connect(Number(port), host);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  sock.on('error', () => undefined); // a reset by the server is one way of closing
  const closed = new Promise<number>((resolve) => sock.once('close', () => resolve(Date.now())));
  return {
    sock,
    received: () => Buffer.concat(chunks),
    /** resolves with the time the server closed the connection; rejects when it stays open for `ms` */
    closedWithin(ms: number): Promise<number> {
      return Promise.race([closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`the connection was still open after ${ms} ms`)), ms))]);
    },
    /** the Bolt messages received after the 4-byte version answer */
    messages(): Structure[] {
      const d = new ChunkDecoder(16 * 1024 * 1024);
      return d.push(Buffer.concat(chunks).subarray(4)).map((b) => decode(b) as Structure);
    },
  };
}

const folders = tempFolders('bolt-wire');
let cluster: TestCluster;
let password: string;
let address: string;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1 });
  password = fs.readFileSync(path.join(cluster.dir, 'bolt-password'), 'utf8').trim();
  address = cluster.sup.member('member-1').boltAddress as string;
});

afterAll(async () => {
  await cluster?.stop();
  folders.removeAll();
});

async function stillServes(): Promise<void> {
  const d = neo4j.driver(`bolt://${address}`, neo4j.auth.basic('neo4j', password), { connectionTimeout: 5000 });
  try {
    const r = await d.executeQuery('SHOW SERVERS', {}, { database: 'system' });
    expect(r.records).toHaveLength(1);
  } finally {
    await d.close();
  }
}

describe('a member Bolt port facing broken peers', () => {
  it('closes on garbage and a wrong magic, without answering', async () => {
    for (const bytes of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.alloc(20, 0xff), Buffer.from('6060b0', 'hex')]) {
      const c = await connect(address);
      c.sock.write(bytes);
      if (bytes.length < 4) c.sock.end();
      await c.closedWithin(3000);
      expect(c.received().length).toBe(0);
    }
    await stillServes();
  });

  it('answers 0.0 and closes when no proposed version is supported', async () => {
    const c = await connect(address);
    c.sock.write(Buffer.concat([MAGIC, Buffer.from('00000404000000030000000000000000', 'hex')]));
    await c.closedWithin(3000);
    expect(c.received().toString('hex')).toBe('00000000');
  });

  it('negotiates 5.4 from an exact proposal, logs in, answers a query and says goodbye', async () => {
    const c = await connect(address);
    c.sock.write(
      Buffer.concat([
        HANDSHAKE_54,
        msg(0x01, { user_agent: 'raw-test/1' }),
        msg(0x6a, { scheme: 'basic', principal: 'neo4j', credentials: password }),
        msg(0x10, 'SHOW SERVERS YIELD name', {}, { db: 'system' }),
        msg(0x3f, { n: -1 }),
        msg(0x02),
      ]),
    );
    await c.closedWithin(3000);
    expect(c.received().subarray(0, 4).toString('hex')).toBe('00000405');
    const answers = c.messages();
    expect(answers.map((m) => m.signature)).toEqual([0x70, 0x70, 0x70, 0x71, 0x70]);
    expect((answers[0].fields[0] as Record<string, PackValue>).server).toMatch(/^Neo4j\/(5\.\d+|20\d\d\.\d\d)\.\d+$/);
    expect(answers[3].fields[0]).toEqual(['member-1']);
  });

  it.each([
    ['a message that is not PackStream', () => Buffer.concat([Buffer.from([0x00, 0x06]), Buffer.from('d2ffffffff41', 'hex'), Buffer.from([0, 0])])],
    ['a value that is not a message', () => frame(encode([1, 2, 3]))],
    ['RUN before HELLO', () => msg(0x10, 'SHOW SERVERS', {}, {})],
    ['an unknown message', () => msg(0x55)],
    ['a message larger than 1 MiB', () => frame(encode('z'.repeat(1_100_000)))],
  ])('sends FAILURE and closes on %s', async (_name, bytes) => {
    const c = await connect(address);
    c.sock.write(Buffer.concat([HANDSHAKE_54, bytes()]));
    await c.closedWithin(5000);
    const answers = c.messages();
    expect(answers).toHaveLength(1);
    expect(answers[0].signature).toBe(0x7f);
    expect(answers[0].fields[0]).toMatchObject({ code: 'Neo.ClientError.Request.Invalid' });
    await stillServes();
  });

  it('refuses a wrong password with Unauthorized and closes', async () => {
    const c = await connect(address);
    c.sock.write(Buffer.concat([HANDSHAKE_54, msg(0x01, { user_agent: 'raw' }), msg(0x6a, { scheme: 'basic', principal: 'neo4j', credentials: 'nope' }), msg(0x10, 'SHOW SERVERS', {}, {})]));
    await c.closedWithin(3000);
    expect(c.messages().map((m) => [m.signature, (m.fields[0] as Record<string, PackValue>).code ?? null])).toEqual([
      [0x70, null],
      [0x7f, 'Neo.ClientError.Security.Unauthorized'],
    ]);
  });

  it('keeps serving after 200 broken connections at once', async () => {
    const conns = await Promise.all(Array.from({ length: 200 }, () => connect(address)));
    conns.forEach((c, i) => c.sock.write(i % 2 ? Buffer.from('garbage!garbage!garbage!') : Buffer.concat([HANDSHAKE_54, Buffer.from([0xff, 0xff, 1, 2, 3])])));
    for (const c of conns) if (c.sock.readyState === 'open') c.sock.destroy();
    await stillServes();
  });
});

describe('peers that stall (an in-process member with short bounds)', () => {
  let server: net.Server;
  let member: Member;
  let local: string;

  beforeAll(async () => {
    const dir = folders.folder('member');
    member = new Member({
      id: 'member-1',
      host: '127.0.0.1',
      port: 1,
      boltPort: 0,
      mode: 'primary',
      dataDir: dir,
      peers: [{ id: 'member-1', address: '127.0.0.1:1', mode: 'primary' }],
      writer: 'member-1',
      databases: ['system', 'neo4j'],
      lagMs: 0,
      txLogRetention: '2 days',
      txLogRotationSize: '1M',
    });
    member.openDatabases();
    const started = await startMemberBolt(member, {
      password: 'stall-test-password',
      server: { authTimeoutMs: 400, messageTimeoutMs: 400, idleTimeoutMs: 600 },
    });
    server = started.server;
    local = started.address;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    member?.close();
  });

  it('closes a peer that says nothing, or stops half-way through the handshake or the login', async () => {
    for (const bytes of [Buffer.alloc(0), MAGIC, Buffer.concat([HANDSHAKE_54, msg(0x01, { user_agent: 'x' })])]) {
      const c = await connect(local);
      const at = Date.now();
      c.sock.write(bytes);
      const closedAt = await c.closedWithin(3000);
      expect(closedAt - at).toBeGreaterThanOrEqual(300);
    }
  });

  it('closes a peer that stops in the middle of a message, and one that stays idle', async () => {
    const login = Buffer.concat([HANDSHAKE_54, msg(0x01, { user_agent: 'x' }), msg(0x6a, { scheme: 'basic', principal: 'neo4j', credentials: 'stall-test-password' })]);
    const half = await connect(local);
    half.sock.write(Buffer.concat([login, Buffer.from([0x00, 0x40, 0xb1])]));
    await half.closedWithin(3000);
    expect(half.messages().map((m) => m.signature)).toEqual([0x70, 0x70]);

    const idle = await connect(local);
    const at = Date.now();
    idle.sock.write(login);
    const closedAt = await idle.closedWithin(3000);
    expect(closedAt - at).toBeGreaterThanOrEqual(500);
    expect(idle.messages().map((m) => m.signature)).toEqual([0x70, 0x70]);
  });

  it('lets the driver go on after the server closed its idle pooled connections', async () => {
    const d = neo4j.driver(`bolt://${local}`, neo4j.auth.basic('neo4j', 'stall-test-password'), { connectionTimeout: 5000 });
    try {
      expect((await d.executeQuery('CALL dbms.components()')).records).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 900)); // past the 600 ms idle bound: the pooled connection is closed
      expect((await d.executeQuery('CALL dbms.components()')).records).toHaveLength(1);
    } finally {
      await d.close();
    }
  });

  it('does not close a peer that keeps talking, even when its packets split messages', async () => {
    const c = await connect(local);
    c.sock.write(Buffer.concat([HANDSHAKE_54, msg(0x01, { user_agent: 'x' }), msg(0x6a, { scheme: 'basic', principal: 'neo4j', credentials: 'stall-test-password' })]));
    // five queries sent over 1.25 s (three times the message bound) in packets that each end inside a message
    const query = Buffer.concat([msg(0x10, 'CALL dbms.components()', {}, {}), msg(0x3f, { n: -1 })]);
    const stream = Buffer.concat(Array.from({ length: 5 }, () => query));
    const cuts = [0, 7, query.length + 7, 2 * query.length + 7, 3 * query.length + 7, stream.length];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 250));
      c.sock.write(stream.subarray(cuts[i], cuts[i + 1]));
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(c.sock.readyState).toBe('open');
    expect(c.messages().filter((m) => m.signature === 0x71)).toHaveLength(5);
    c.sock.destroy();
  });
});

/**
 * PackStream v1 golden encodings (from the Bolt documentation's PackStream specification) both ways, and the
 * decoder's bounds: what a hostile peer can send gets BAD_REQUEST, never a crash or a large allocation.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, PackFloat, Structure, type PackValue } from './packstream';
import { ChunkDecoder, chooseVersion, frame, manifestAnswer, parseProposals, readVarInt, writeVarInt } from './framing';
import { SUPPORTED_VERSIONS } from './server';
import { ServerHandshake, type HandshakeStep } from './handshake';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// value, its encoding, and the value decoding gives back (when it differs: floats and wrappers)
const GOLDEN: Array<[string, PackValue, string, PackValue?]> = [
  ['null', null, 'C0'],
  ['true', true, 'C3'],
  ['false', false, 'C2'],
  ['tiny int 0', 0, '00'],
  ['tiny int 127', 127, '7F'],
  ['tiny int -1', -1, 'FF'],
  ['tiny int -16', -16, 'F0'],
  ['INT_8 -17', -17, 'C8 EF'],
  ['INT_8 -128', -128, 'C8 80'],
  ['INT_16 128', 128, 'C9 00 80'],
  ['INT_16 -129', -129, 'C9 FF 7F'],
  ['INT_16 32767', 32767, 'C9 7F FF'],
  ['INT_32 32768', 32768, 'CA 00 00 80 00'],
  ['INT_32 -2147483648', -2147483648, 'CA 80 00 00 00'],
  ['INT_64 2147483648', 2147483648, 'CB 00 00 00 00 80 00 00 00'],
  ['INT_64 -2147483649', -2147483649, 'CB FF FF FF FF 7F FF FF FF'],
  ['INT_64 max safe', Number.MAX_SAFE_INTEGER, 'CB 00 1F FF FF FF FF FF FF'],
  ['INT_64 max (bigint)', 2n ** 63n - 1n, 'CB 7F FF FF FF FF FF FF FF'],
  ['INT_64 min (bigint)', -(2n ** 63n), 'CB 80 00 00 00 00 00 00 00'],
  ['small bigint decodes as a number', 5n, '05', 5],
  ['float 1.1', 1.1, 'C1 3F F1 99 99 99 99 99 9A'],
  ['float -0', -0, 'C1 80 00 00 00 00 00 00 00'],
  ['PackFloat 2', new PackFloat(2), 'C1 40 00 00 00 00 00 00 00', 2],
  ['empty string', '', '80'],
  ['string A', 'A', '81 41'],
  ['UTF-8 string', 'Größenmaßstäbe', 'D0 12 47 72 C3 B6 C3 9F 65 6E 6D 61 C3 9F 73 74 C3 A4 62 65'],
  ['16-byte string', 'abcdefghijklmnop', 'D0 10 6162636465666768696A6B6C6D6E6F70'],
  ['empty list', [], '90'],
  ['list', [1, 2, 3], '93 01 02 03'],
  ['nested list', [1, [2, [3]]], '92 01 92 02 91 03'],
  ['empty map', {}, 'A0'],
  ['map', { a: 1 }, 'A1 81 61 01'],
  ['bytes', new Uint8Array([1, 2, 3]), 'CC 03 01 02 03'],
  ['structure', new Structure(0x70, [{}]), 'B1 70 A0'],
  ['structure without fields', new Structure(0x0f, []), 'B0 0F'],
];

function plain(v: PackValue): unknown {
  // null-prototype maps compare as plain objects
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? [...x] : x)));
}

describe('PackStream golden values', () => {
  it.each(GOLDEN)('%s', (_name, value, bytes, decoded) => {
    expect(encode(value).toString('hex').toUpperCase()).toBe(hex(bytes).toString('hex').toUpperCase());
    const back = decode(hex(bytes));
    const want = decoded === undefined ? value : decoded;
    if (want instanceof Structure) {
      expect(back).toBeInstanceOf(Structure);
      expect((back as Structure).signature).toBe(want.signature);
      expect(plain((back as Structure).fields)).toEqual(plain(want.fields));
    } else if (typeof want === 'number' && Object.is(want, -0)) {
      expect(Object.is(back, -0)).toBe(true);
    } else {
      expect(plain(back)).toEqual(plain(want));
      expect(typeof back).toBe(typeof want);
    }
  });

  it.each([
    ['string', 'x'.repeat(256), 'D1 01 00'],
    ['string', 'x'.repeat(65536), 'D2 00 01 00 00'],
    ['list', Array.from({ length: 16 }, () => 1), 'D4 10'],
    ['list', Array.from({ length: 256 }, () => 1), 'D5 01 00'],
    ['map', Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])), 'D8 10'],
    ['bytes', new Uint8Array(256), 'CD 01 00'],
  ] as Array<[string, PackValue, string]>)('a large %s gets the wider header %s and comes back', (_kind, value, head) => {
    const buf = encode(value);
    expect(buf.subarray(0, hex(head).length).toString('hex')).toBe(hex(head).toString('hex'));
    expect(plain(decode(buf))).toEqual(plain(value));
  });

  it('round-trips a HELLO-like message', () => {
    const msg = new Structure(0x01, [{ user_agent: 'neo4j-javascript/6.3.0', routing: { address: '127.0.0.1:7687' }, bolt_agent: { product: 'x' } }]);
    const back = decode(encode(msg)) as Structure;
    expect(back.signature).toBe(1);
    expect(plain(back.fields)).toEqual(plain(msg.fields));
  });
});

describe('PackStream decoder bounds', () => {
  it.each([
    ['a truncated string', 'D0 05 41'],
    ['a 4 GiB string in a few bytes', 'D2 FF FF FF FF 41'],
    ['a 4 G-item list', 'D6 FF FF FF FF 01'],
    ['a 4 G-entry map', 'DA FF FF FF FF'],
    ['a 4 GiB byte array', 'CE FF FF FF FF'],
    ['a truncated INT_64', 'CB 00 00'],
    ['a truncated float', 'C1 00'],
    ['a map key that is not a string', 'A1 01 01'],
    ['an unknown marker', 'C4'],
    ['a stream marker (not PackStream v1)', 'D7'],
    ['end of stream marker', 'DF'],
    ['bytes after the value', '01 01'],
    ['invalid UTF-8', '81 FF'],
    ['a structure with missing fields', 'B3 70 01'],
    ['nothing at all', ''],
  ])('refuses %s with BAD_REQUEST', (_name, bytes) => {
    expect(() => decode(hex(bytes))).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('refuses nesting deeper than 32 levels (no stack overflow)', () => {
    const deep = Buffer.concat([Buffer.alloc(10_000, 0x91), Buffer.from([0xc0])]);
    expect(() => decode(deep)).toThrow(/nested deeper than 32/);
    expect(() => decode(Buffer.concat([Buffer.alloc(32, 0x91), Buffer.from([0xc0])]))).not.toThrow();
  });

  it('decodes "__proto__" as an ordinary key', () => {
    const m = decode(encode({ ['__proto__']: 1 } as Record<string, PackValue>)) as Record<string, PackValue>;
    expect(Object.getPrototypeOf(m)).toBe(null);
    expect(Object.keys(m)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses to encode what PackStream cannot hold', () => {
    const cycle: PackValue[] = [];
    cycle.push(cycle);
    expect(() => encode(cycle)).toThrow(/nested deeper/);
    expect(() => encode(2n ** 63n)).toThrow(/64 bits/);
    expect(() => encode(new Structure(1, Array.from({ length: 16 }, () => 0)))).toThrow(/at most 15/);
  });
});

describe('Bolt framing', () => {
  it('splits and reassembles messages, whatever the byte boundaries', () => {
    const big = encode('y'.repeat(70_000));
    const stream = Buffer.concat([frame(encode(1)), Buffer.from([0, 0]) /* NOOP */, frame(big), frame(encode([1, 2]))]);
    for (const step of [1, 7, 65_537, stream.length]) {
      const d = new ChunkDecoder(1024 * 1024);
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...d.push(stream.subarray(i, i + step)));
      expect(out.map((b) => plain(decode(b)))).toEqual([1, 'y'.repeat(70_000), [1, 2]]);
      expect(d.inMessage).toBe(false);
    }
  });

  it('refuses a message larger than the bound as soon as its chunks announce it', () => {
    const d = new ChunkDecoder(100_000);
    // two full chunk headers announce 131070 bytes; only the first chunk's bytes are sent
    const head = Buffer.from([0xff, 0xff]);
    expect(() => {
      d.push(Buffer.concat([head, Buffer.alloc(0xffff)]));
      d.push(head);
    }).toThrow(/larger than 100000/);
  });

  it('chooses the best common version from the proposals neo4j-driver 6.3 sends', () => {
    // 255.1 (manifest), 5.8 down to 5.0, 4.4 down to 4.2, 3.0
    const hs = hex('6060B017 000001FF 00080805 00020404 00000003');
    const proposals = parseProposals(hs);
    expect(proposals).toEqual([
      { major: 255, minor: 1, range: 0 },
      { major: 5, minor: 8, range: 8 },
      { major: 4, minor: 4, range: 2 },
      { major: 3, minor: 0, range: 0 },
    ]);
    expect(chooseVersion(proposals, SUPPORTED_VERSIONS)).toEqual({ major: 5, minor: 4 });
    expect(chooseVersion(parseProposals(hex('6060B017 00000105 00000000 00000000 00000000')), SUPPORTED_VERSIONS)).toEqual({ major: 5, minor: 1 });
    expect(chooseVersion(parseProposals(hex('6060B017 00000404 00000003 00000000 00000000')), SUPPORTED_VERSIONS)).toBe(null);
  });

  it('answers the manifest handshake with its version range and reads varints', () => {
    expect(manifestAnswer([{ major: 5, minor: 4, range: 4 }]).toString('hex')).toBe('000001ff010004040500');
    for (const n of [0, 1, 127, 128, 300, 2 ** 31]) expect(readVarInt(writeVarInt(n), 0)).toEqual({ value: n, next: writeVarInt(n).length });
    expect(readVarInt(Buffer.from([0x80]), 0)).toBe(null);
    expect(() => readVarInt(Buffer.alloc(6, 0x80), 0)).toThrow(/longer than 5 bytes/);
  });
});

describe('the server handshake', () => {
  const DRIVER_6_3 = hex('6060B017 000001FF 00080805 00020404 00000003');
  const shake = () => new ServerHandshake(SUPPORTED_VERSIONS, { major: 5, minor: 4, range: 4 });
  /** feeds `bytes` one at a time; returns every answer sent and the last step */
  function feed(h: ServerHandshake, bytes: Buffer): { sent: string; last: HandshakeStep } {
    let sent = '';
    let last: HandshakeStep = { kind: 'more' };
    for (const b of bytes) {
      last = h.push(Buffer.from([b]));
      if (last.answer) sent += last.answer.toString('hex');
      if (last.kind !== 'more') break;
    }
    return { sent, last };
  }

  it('goes through the manifest with neo4j-driver 6.3, byte by byte, and keeps what follows', () => {
    const h = shake();
    const first = feed(h, DRIVER_6_3);
    expect(first).toEqual({ sent: '000001ff010004040500', last: { kind: 'more', answer: expect.any(Buffer) } });
    // the driver picks 5.4 and no capabilities; a HELLO's first bytes follow in the same packet
    const step = h.push(hex('00000405 00 0010B1'));
    expect(step).toMatchObject({ kind: 'done', version: { major: 5, minor: 4 } });
    expect((step as { rest: Buffer }).rest.toString('hex')).toBe('0010b1');
  });

  it.each([
    ['a wrong magic, refused at its fourth byte', hex('47455420'), 'not a Bolt client', ''],
    ['no common version', hex('6060B017 00000404 00000003 00000000 00000000'), 'no common Bolt version (proposed 4.4, 3.0)', '00000000'],
  ])('refuses %s', (_name, bytes, why, answer) => {
    const { sent, last } = feed(shake(), bytes);
    expect(last).toMatchObject({ kind: 'refused', why: expect.stringContaining(why) });
    expect(sent).toBe(answer);
  });

  it('answers a plain proposal with the best version it includes', () => {
    expect(shake().push(hex('6060B017 00030305 00000000 00000000 00000000'))).toMatchObject({ kind: 'done', version: { major: 5, minor: 3 } });
  });

  it('refuses a manifest pick that was not offered', () => {
    const h = shake();
    h.push(DRIVER_6_3);
    expect(h.push(hex('00000805 00'))).toMatchObject({ kind: 'refused', why: expect.stringContaining('picked Bolt 5.8') });
  });
});

/**
 * The server side of Bolt's handshake, fed the bytes as they come (framing.ts has the encodings).
 *
 * The client sends the magic and four proposals. With 255.1 among them (neo4j-driver 6 sends it first) the
 * server answers with the manifest (its version range, no capabilities) and reads the client's pick and
 * capabilities; otherwise it answers the best common version, or 0.0.0.0 and closes. A wrong magic is refused
 * as soon as its 4 bytes are in, without an answer. The bytes held are bounded: 20, then at most 4 + 5.
 */
import { BOLT_MAGIC, MANIFEST_V1, chooseVersion, manifestAnswer, parseProposals, rangeIncludes, readVarInt, versionBytes, type BoltVersion, type VersionRange } from './framing';

export type HandshakeStep =
  /** more bytes are needed; `answer`, if any, is to be sent now */
  | { kind: 'more'; answer?: Buffer }
  /** agreed on `version`; `rest` is what followed the handshake (the first messages) */
  | { kind: 'done'; version: BoltVersion; answer?: Buffer; rest: Buffer }
  /** no agreement: send `answer`, if any, and close */
  | { kind: 'refused'; why: string; answer?: Buffer };

export class ServerHandshake {
  private buf: Buffer = Buffer.alloc(0);
  private manifestSent = false;

  /** `preference`: the versions this server speaks, best first; `range`: the same as one manifest range */
  constructor(
    private readonly preference: BoltVersion[],
    private readonly range: VersionRange,
  ) {}

  push(data: Buffer): HandshakeStep {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    return this.manifestSent ? this.pick() : this.proposals();
  }

  private proposals(): HandshakeStep {
    if (this.buf.length >= 4 && this.buf.readUInt32BE(0) !== BOLT_MAGIC) return { kind: 'refused', why: 'not a Bolt client (wrong magic)' };
    if (this.buf.length < 20) return { kind: 'more' };
    const proposals = parseProposals(this.buf);
    this.buf = Buffer.from(this.buf.subarray(20));
    if (proposals.some((p) => rangeIncludes(p, MANIFEST_V1))) {
      this.manifestSent = true;
      const answer = manifestAnswer([this.range]);
      const next = this.pick();
      return { ...next, answer: next.answer ? Buffer.concat([answer, next.answer]) : answer };
    }
    const version = chooseVersion(proposals, this.preference);
    if (!version) {
      const proposed = proposals.map((p) => `${p.major}.${p.minor}${p.range ? `-${p.minor - p.range}` : ''}`).join(', ');
      return { kind: 'refused', why: `no common Bolt version (proposed ${proposed || 'none'})`, answer: Buffer.alloc(4) };
    }
    return { kind: 'done', version, answer: versionBytes(version), rest: this.buf };
  }

  /** the client's pick after the manifest: 4 bytes, then its capabilities as a varint */
  private pick(): HandshakeStep {
    if (this.buf.length < 5) return { kind: 'more' };
    const caps = readVarInt(this.buf, 4);
    if (!caps) return { kind: 'more' };
    const version = { major: this.buf[3], minor: this.buf[2] };
    const reserved = this.buf[0] | this.buf[1];
    const rest = Buffer.from(this.buf.subarray(caps.next));
    if (reserved !== 0 || !rangeIncludes(this.range, version)) {
      return { kind: 'refused', why: `the client picked Bolt ${version.major}.${version.minor}, which was not offered` };
    }
    return { kind: 'done', version, rest };
  }
}

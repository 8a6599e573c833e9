/**
 * The content sum of a store: the digest backups record and restores and drills compare, kept up to date at
 * every commit instead of read from the whole store.
 *
 * Definition: every node is the line `n<id>|<labels>|<props>\n` and every relationship the line
 * `r<id>|<type>|<start>|<end>|<props>\n` (labels sorted, properties canonical JSON: the lines depend on content
 * only, as in the ordered digest of ./store.ts); the sum is the SHA-256 of each line, read as eight 32-bit
 * big-endian words, added word by word modulo 2^32 (a multiset hash in the manner of LtHash, with one SHA-256 as
 * its vector). Order does not matter, so a commit changes the sum by adding the lines it wrote and subtracting
 * the lines it replaced or deleted, and the sum of a store computed from scratch (computeContentSum) equals
 * the sum its writer kept. Written as 64 hex digits.
 *
 * It detects any accidental difference between two stores (a lost, duplicated or changed row) with
 * probability 1 - 2^-256 per comparison; it is not meant to resist someone who crafts rows to collide.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';

/** the SQL expressions of a row's line (NEW./OLD. prefixed in triggers, bare in a scan) */
export const NODE_LINE = (t: string) => `'n' || ${t}id || '|' || ${t}labels || '|' || ${t}props || char(10)`;
export const REL_LINE = (t: string) => `'r' || ${t}id || '|' || ${t}type || '|' || ${t}start_id || '|' || ${t}end_id || '|' || ${t}props || char(10)`;

/**
 * The same lines built here, for rows whose values this process binds itself (a store's inserts: see
 * ./store.ts); each equals NODE_LINE/REL_LINE of the row SQLite then holds (./content-sum.test.ts).
 * IDs are integers: JavaScript prints them as SQLite does.
 */
export const nodeLine = (id: number, labels: string, props: string) => `n${id}|${labels}|${props}\n`;
export const relLine = (id: number, type: string, start: number, end: number, props: string) => `r${id}|${type}|${start}|${end}|${props}\n`;

const WORDS = 8;
const HEX = /^[0-9a-f]{64}$/;

// crypto.hash (Node 20.12+) hashes a short line in one call, about a third faster than createHash per line. The
// digest comes as a latin1 string (32 one-byte characters, in the heap's young generation), not as a Buffer: a
// Buffer's own memory cost five times the hash (300,000 lines of a restore's replay: 500 ms against 100 ms).
const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: 'latin1') => string }).hash;
const sha256 = oneShot ? (line: string) => oneShot('sha256', line, 'latin1') : (line: string) => crypto.createHash('sha256').update(line).digest('binary'); // ('binary' is latin1)

export class ContentSum {
  private constructor(private readonly w: Uint32Array) {}

  static zero(): ContentSum {
    return new ContentSum(new Uint32Array(WORDS));
  }

  /** From its 64 hex digits; throws on anything else. */
  static fromHex(hex: string): ContentSum {
    if (!HEX.test(hex)) throw new Error(`not a content sum: ${JSON.stringify(hex.slice(0, 80))}`);
    const w = new Uint32Array(WORDS);
    for (let i = 0; i < WORDS; i++) w[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    return new ContentSum(w);
  }

  clone(): ContentSum {
    return new ContentSum(this.w.slice());
  }

  /** Adds (sign 1) or subtracts (sign -1) one line. */
  line(sign: 1 | -1, line: string): void {
    const h = sha256(line);
    for (let i = 0, k = 0; i < WORDS; i++, k += 4) {
      this.w[i] = this.w[i] + sign * (((h.charCodeAt(k) << 24) | (h.charCodeAt(k + 1) << 16) | (h.charCodeAt(k + 2) << 8) | h.charCodeAt(k + 3)) >>> 0);
    }
  }

  toHex(): string {
    let s = '';
    for (let i = 0; i < WORDS; i++) s += this.w[i].toString(16).padStart(8, '0');
    return s;
  }
}

/** What a scan of a store gives: the content sum, the counts and the transaction, read in one transaction. */
export interface ScannedSum {
  lastCommittedTxn: number;
  nodes: number;
  relationships: number;
  contentHash: string;
}

/**
 * The content sum of a store from scratch, on any connection to it (read in one transaction): every row's
 * line is built by SQLite and handed to an aggregate function that adds its hash. Seconds per million rows: for
 * drills and checks, and once for a store written before sums were kept; backups read the sum its writer keeps.
 *
 * Self-contained (it also runs on a worker thread from its source text, see lib/cluster/digest-worker.ts): it
 * uses only its arguments. `hash` is SHA-256 of a line's UTF-8 bytes, as a latin1 string (32 characters, one
 * per byte: see `sha256` above). The line expressions are NODE_LINE('') and
 * REL_LINE(''), spelled out (./content-sum.test.ts keeps them equal).
 */
export function computeContentSum(db: Database.Database, hash: (line: string) => string): ScannedSum {
  const w = new Uint32Array(8);
  db.aggregate('txline_scan_sum', {
    start: 0,
    step: ((n: number, line: string) => {
      const h = hash(line);
      for (let i = 0, k = 0; i < 8; i++, k += 4) w[i] = w[i] + (((h.charCodeAt(k) << 24) | (h.charCodeAt(k + 1) << 16) | (h.charCodeAt(k + 2) << 8) | h.charCodeAt(k + 3)) >>> 0);
      return n + 1;
    }) as unknown as (total: number, next: number) => number,
  });
  const run = () => {
    const lastCommittedTxn = db.prepare("SELECT value FROM meta WHERE key = 'lastTxId'").pluck().get() as number;
    const nodes = db.prepare("SELECT txline_scan_sum('n' || id || '|' || labels || '|' || props || char(10)) FROM nodes").pluck().get() as number;
    const relationships = db.prepare("SELECT txline_scan_sum('r' || id || '|' || type || '|' || start_id || '|' || end_id || '|' || props || char(10)) FROM rels").pluck().get() as number;
    let contentHash = '';
    for (let i = 0; i < 8; i++) contentHash += w[i].toString(16).padStart(8, '0');
    return { lastCommittedTxn, nodes, relationships, contentHash };
  };
  return db.inTransaction ? run() : db.transaction(run)();
}

/** SHA-256 of a line as a latin1 string, for computeContentSum on this thread. */
export const lineSha256 = sha256;

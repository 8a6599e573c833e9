/**
 * Which webhook URLs Txline will call. A webhook is a request the server makes on an admin's word, so it must not
 * become a way into the cloud's metadata service or a link-local neighbour (SSRF):
 *
 * - only http: and https:, no user name or password in the URL;
 * - the host is read by the WHATWG URL parser, which turns every spelling of an IPv4 address (decimal
 *   `2852039166`, hex `0xA9FEA9FE`, octal `0251.0376.0251.0376`, short `169.254.43518`) into its dotted form and
 *   every IPv6 spelling into its canonical one, so the check below sees one form only;
 * - refused: 169.254.0.0/16 (IPv4 link-local, the cloud metadata address 169.254.169.254), 100.100.100.200
 *   (Alibaba Cloud's metadata address), fe80::/10 (IPv6 link-local), fd00:ec2::254 (AWS's IPv6 metadata
 *   address), and those IPv4 addresses inside IPv6 (IPv4-mapped ::ffff:a.b.c.d, IPv4-translated
 *   ::ffff:0:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96 and the local-use 64:ff9b:1::/48, 6to4
 *   2002::/16);
 * - a host name is checked again when a webhook is sent: every address it resolves to is checked, and the
 *   connection goes to the checked address (the lookup of the request itself, see `guardedLookup`), so a name
 *   that resolves to a refused address (or is changed to, DNS rebinding) is refused at send time.
 *
 * Loopback and private addresses are allowed: a receiver on the same host or network is the ordinary case.
 */
import dns from 'node:dns';
import net from 'node:net';
import { TxlineError } from '../errors';

/** Why an address is refused, or null when it may be called. `ip` is an IPv4 or IPv6 literal. */
export function refusedAddress(ip: string): string | null {
  const h = ip.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (net.isIPv4(h)) return refused4(v4bytes(h));
  if (!net.isIPv6(h)) return null;
  const b = v6bytes(h);
  if (b === null) return `${h} is not an IPv6 address Txline can read`;
  if (sameBytes(b, METADATA6)) return `${h} is the cloud metadata address fd00:ec2::254`;
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return `${h} is an IPv6 link-local address (fe80::/10)`;
  const embedded = embeddedV4(b);
  const inside = embedded ? refused4(embedded) : null;
  return inside ? `${h} holds the IPv4 address ${embedded?.join('.')}: ${inside}` : null;
}

/** Why an IPv4 address (its four bytes) is refused, or null. */
function refused4(b: number[]): string | null {
  const ip = b.join('.');
  if (linkLocal4(b)) return `${ip} is a link-local address (169.254.0.0/16, where cloud metadata services answer)`;
  if (ip === '100.100.100.200') return `${ip} is Alibaba Cloud's metadata address`;
  return null;
}

/**
 * A webhook URL checked (scheme, credentials, a literal address) and normalised; an INVALID_ARGUMENT error naming
 * the field `url` otherwise. A host name passes here and is checked when it is resolved (`guardedLookup`).
 */
export function checkWebhookUrl(raw: string): URL {
  const bad = (why: string) => new TxlineError('INVALID_ARGUMENT', `url: ${why}`, { details: { field: 'url' } });
  const text = raw.trim();
  if (text.length === 0) throw bad('give the receiver’s URL (http:// or https://)');
  if (text.length > 2000) throw bad('is longer than 2000 characters');
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw bad(`"${text.slice(0, 80)}" is not a URL`); // the URL parser's reason adds nothing for people
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`only http:// and https:// URLs are called (not ${u.protocol})`);
  if (u.username || u.password) throw bad('must not hold a user name or password (use the secret for signing)');
  if (u.hostname === '') throw bad('has no host');
  const literal = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(literal)) {
    const why = refusedAddress(literal);
    if (why) throw new TxlineError('ADDRESS_REFUSED', `url: ${why}; webhooks are not sent there`, { details: { field: 'url' } });
  }
  return u;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request: resolves the host like the system does, then refuses the connection when any
 * address it resolved to is refused (so the request never connects to a name that points at the metadata
 * service, whatever the URL said). The error is an ADDRESS_REFUSED TxlineError.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as dns.LookupAddress[];
    for (const a of list) {
      const why = refusedAddress(a.address);
      if (why) return callback(new TxlineError('ADDRESS_REFUSED', `${hostname} resolves to ${why}; webhooks are not sent there`) as unknown as NodeJS.ErrnoException, '', 0);
    }
    if (list.length === 0) return callback(Object.assign(new Error(`${hostname} resolves to no address`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}

const METADATA6 = v6bytes('fd00:ec2::254') as number[];

function linkLocal4(b: number[]): boolean {
  return b[0] === 169 && b[1] === 254;
}

function v4bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), or null. */
function embeddedV4(b: number[]): number[] | null {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12); // ::ffff:a.b.c.d
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(10, 12)) return b.slice(12); // ::ffff:0:a.b.c.d (SIIT)
  if (zeros(0, 12) && !zeros(12, 16)) return b.slice(12); // ::a.b.c.d (deprecated, still routed by some stacks)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12); // 64:ff9b::/96
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b[4] === 0x00 && b[5] === 0x01) return b.slice(12); // 64:ff9b:1::/48, as /96
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 2002:aabb:ccdd::/48
  return null;
}

/** The 16 bytes of an IPv6 address (a trailing dotted IPv4 part allowed), or null. */
function v6bytes(ip: string): number[] | null {
  let s = ip.split('%')[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    if (!net.isIPv4(dotted[1])) return null;
    const [a, b, c, d] = v4bytes(dotted[1]);
    s = `${s.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? head.length !== 8 : fill < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    out.push(n >> 8, n & 0xff);
  }
  return out;
}

function sameBytes(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

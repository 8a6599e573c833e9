/**
 * Webhook URLs that must be refused (link-local, cloud metadata, in every spelling) and those that must pass,
 * as a table; and the send-time check of what a host name resolves to.
 */
import { describe, expect, it } from 'vitest';
import { codeOf } from '../errors';
import { checkWebhookUrl, guardedLookup, refusedAddress } from './address';

const REFUSED: Array<[string, string]> = [
  ['http://169.254.169.254/latest/meta-data/', 'metadata, dotted'],
  ['http://169.254.0.1:8080/hook', 'link-local, with a port'],
  ['https://169.254.255.255/', 'top of the range'],
  ['http://2852039166/', 'decimal'],
  ['http://0xA9FEA9FE/', 'hex'],
  ['http://0xa9.0xfe.0xa9.0xfe/', 'hex per part'],
  ['http://0251.0376.0251.0376/', 'octal'],
  ['http://169.254.43518/', 'short form'],
  ['http://[::ffff:169.254.169.254]/', 'IPv4-mapped IPv6, dotted'],
  ['http://[::ffff:a9fe:a9fe]/', 'IPv4-mapped IPv6, hex'],
  ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', 'IPv4-mapped IPv6, long'],
  ['http://[::169.254.169.254]/', 'IPv4-compatible IPv6'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'NAT64'],
  ['http://[2002:a9fe:a9fe::1]/', '6to4'],
  ['http://[fd00:ec2::254]/', 'AWS IPv6 metadata'],
  ['http://[FD00:0EC2:0000:0000:0000:0000:0000:0254]/', 'AWS IPv6 metadata, long and upper case'],
  ['http://[fe80::1]/', 'IPv6 link-local'],
  ['http://100.100.100.200/latest/meta-data/', 'Alibaba Cloud metadata'],
  ['http://[::ffff:100.100.100.200]/', 'Alibaba Cloud metadata, IPv4-mapped'],
  ['http://[::ffff:0:a9fe:a9fe]/', 'IPv4-translated IPv6 (SIIT)'],
  ['http://[64:ff9b:1::a9fe:a9fe]/', 'local-use NAT64'],
  ['http://[febf::1]/', 'IPv6 link-local, top of fe80::/10'],
];

const BAD_FORM: Array<[string, RegExp]> = [
  ['ftp://example.com/hook', /only http/],
  ['file:///etc/passwd', /only http/],
  ['http://user:pass@example.com/', /user name or password/],
  ['not a url', /is not a URL/],
  ['', /give the receiver/],
];

const ALLOWED = ['http://127.0.0.1:9000/hook', 'http://localhost:9000/', 'https://hooks.example.com/txline', 'http://10.0.0.5/', 'http://[::1]:9000/', 'http://169.253.255.255/', 'http://169.255.0.1/', 'http://[fd00:ec2::253]/', 'http://[fec0::1]/', 'http://100.100.100.201/', 'http://100.64.0.1/', 'http://[64:ff9b:1::a00:1]/'];

describe('webhook URLs', () => {
  it.each(REFUSED)('refuses %s (%s) with ADDRESS_REFUSED', (url) => {
    let err: unknown;
    try {
      checkWebhookUrl(url);
    } catch (e) {
      err = e;
    }
    expect(codeOf(err)).toBe('ADDRESS_REFUSED');
    expect(String((err as Error).message)).toMatch(/webhooks are not sent there/);
  });

  it.each(BAD_FORM)('refuses %s as not a webhook URL', (url, why) => {
    expect(() => checkWebhookUrl(url)).toThrow(why);
  });

  it.each(ALLOWED)('allows %s', (url) => {
    expect(checkWebhookUrl(url).toString()).toBe(new URL(url).toString());
  });

  it('reads addresses as resolvers return them', () => {
    expect(refusedAddress('169.254.169.254')).toMatch(/link-local/);
    expect(refusedAddress('::ffff:169.254.1.2')).toMatch(/169\.254\.1\.2/);
    expect(refusedAddress('fe80::1%eth0')).toMatch(/link-local/);
    expect(refusedAddress('127.0.0.1')).toBeNull();
    expect(refusedAddress('::1')).toBeNull();
  });

  it('refuses at send time a host name that resolves to a refused address, and lets a good one through', async () => {
    const lookup = (host: string) =>
      new Promise<{ err: unknown; address: unknown }>((resolve) => guardedLookup(host, {}, (err, address) => resolve({ err, address })));
    // the resolver reads the decimal name as 169.254.169.254: refused after resolution, not by the URL check
    const decimal = await lookup('2852039166');
    expect(codeOf(decimal.err)).toBe('ADDRESS_REFUSED');
    expect(String((decimal.err as Error).message)).toMatch(/2852039166 resolves to 169\.254\.169\.254/);
    const ok = await lookup('localhost');
    expect(ok.err).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(ok.address);
  });
});

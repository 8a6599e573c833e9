/**
 * A member address that is not host:port (an unclosed IPv6 bracket, a bracketed name that is no IPv6 address, an
 * IPv6 address without brackets, no port, a port out of range) is a usage error, exit 2, naming the address: not
 * a member that "could not be reached" (exit 1). No cluster is needed: nothing may be tried.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { splitAddress } from '../../lib/net/address';
import { tempFolders } from '../helpers/cluster';
import { runTxline } from '../helpers/engine';

const temp = tempFolders('bad-address');
afterAll(() => temp.removeAll());

const BAD = ['[::1', '[::1:6362', '[::1]', '::1:6362', '[zz]:6362', '[127.0.0.1]:6362', 'localhost', 'localhost:99999', 'local host:6362', 'http://localhost:6362'];

describe('addresses that are not host:port', () => {
  it.each(BAD)('splitAddress("%s") is INVALID_ARGUMENT naming it', (address) => {
    expect(() => splitAddress(address)).toThrow(`Invalid address "${address}": expected host:port`);
  });

  it('splitAddress reads host:port and [IPv6]:port', () => {
    expect(splitAddress('127.0.0.1:6362')).toEqual(['127.0.0.1', '6362']);
    expect(splitAddress(' localhost:1 ')).toEqual(['localhost', '1']);
    expect(splitAddress('[::1]:6362')).toEqual(['::1', '6362']);
    expect(splitAddress('[::ffff:127.0.0.1]:80')).toEqual(['::ffff:127.0.0.1', '80']);
  });

  it('an unclosed IPv6 bracket says what is wrong with it', () => {
    expect(() => splitAddress('[::1')).toThrow('the "[" of an IPv6 host is not closed');
  });

  it.each([
    ['database backup --from', (dir: string, a: string) => ['database', 'backup', `--from=${a}`, `--to-path=${dir}`, 'neo4j']],
    ['database restore --to', (dir: string, a: string) => ['database', 'restore', `--from-path=${dir}`, `--to=${a}`, 'copy']],
    ['workload --server', (_dir: string, a: string) => ['workload', '--server', a, '--duration', '1s']],
  ])('txline %s=[::1 (and the other bad addresses): exit 2, naming the address', async (_what, args) => {
    const dir = temp.folder('to');
    for (const address of ['[::1', '::1:6362', '[zz]:6362']) {
      const r = await runTxline(args(dir, address));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`Invalid address "${address}"`);
      expect(r.stderr).not.toMatch(/could not be reached|cannot reach|SOURCE_UNREACHABLE/);
    }
  });
});

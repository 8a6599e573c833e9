/**
 * The sealed Bolt password (lib/sources/neo4j/secret.ts) on real files: it opens with its key, URI and user
 * only; an altered seal, another key, a key that is a symlink or the wrong size are refused without showing the
 * password; a key found readable by others is tightened to 0600; a password file gives its first line only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPassword, readPasswordFile, sealPassword, secretKeyFile } from '../../lib/sources/neo4j/secret';
import { tempFolders } from '../helpers/cluster';

const folders = tempFolders('neo4j-secret');
afterAll(() => folders.removeAll());

const who = { uri: 'neo4j://db1.example:7687', user: 'txline' };
const password = 'S3cret-pa55word!';

describe('the sealed Neo4j password', () => {
  it('opens with its key, URI and user; two seals of one password differ', () => {
    const catalog = path.join(folders.folder('a'), 'txline.sqlite');
    const a = sealPassword(catalog, { ...who, password });
    const b = sealPassword(catalog, { ...who, password });
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(openPassword(catalog, { ...who, sealed: a })).toBe(password);
    expect(() => openPassword(catalog, { ...who, user: 'neo4j', sealed: a })).toThrow(/does not open/);
  });

  it('refuses an altered seal and another catalog’s key, never showing the password', () => {
    const catalog = path.join(folders.folder('b'), 'txline.sqlite');
    const other = path.join(folders.folder('c'), 'txline.sqlite');
    const sealed = sealPassword(catalog, { ...who, password });
    sealPassword(other, { ...who, password: 'another-one-123' });
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    const altered = [...parts.slice(0, 3), flipped.toString('base64url')].join(':');
    for (const [cat, s] of [
      [catalog, altered],
      [other, sealed],
    ] as const) {
      let message = '';
      try {
        openPassword(cat, { ...who, sealed: s });
      } catch (e) {
        message = String((e as Error).message);
      }
      expect(message).toMatch(/does not open/);
      expect(message).not.toContain(password);
    }
  });

  it('tightens a key readable by others, refuses a symlinked or wrong-size key, and says when the key is missing', () => {
    const dir = folders.folder('d');
    const catalog = path.join(dir, 'txline.sqlite');
    const sealed = sealPassword(catalog, { ...who, password });
    const key = secretKeyFile(catalog);
    fs.chmodSync(key, 0o644);
    expect(openPassword(catalog, { ...who, sealed })).toBe(password);
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);

    const moved = path.join(dir, 'elsewhere.key');
    fs.renameSync(key, moved);
    expect(() => openPassword(catalog, { ...who, sealed })).toThrow(/is missing/);
    fs.symlinkSync(moved, key);
    expect(() => openPassword(catalog, { ...who, sealed })).toThrow(/not a regular file/);
    fs.rmSync(key);
    fs.writeFileSync(key, Buffer.alloc(16), { mode: 0o600 });
    expect(() => sealPassword(catalog, { ...who, password })).toThrow(/not a 32-byte key/);
  });

  it('reads the first line of a password file, and refuses an empty one or a folder', () => {
    const dir = folders.folder('e');
    fs.writeFileSync(path.join(dir, 'pw'), `${password}\r\nsecond line\n`);
    expect(readPasswordFile(path.join(dir, 'pw'))).toBe(password);
    fs.writeFileSync(path.join(dir, 'empty'), '\n');
    expect(() => readPasswordFile(path.join(dir, 'empty'))).toThrow(/first line is empty/);
    expect(() => readPasswordFile(dir)).toThrow(/not a regular file/);
    expect(() => readPasswordFile(path.join(dir, 'missing'))).toThrow(/cannot read --password-file/);
  });
});

/**
 * Path confinement of backup folders that come from the browser: hostile paths on real files and symlinks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confineAtUse, confineToRoots, folderRoots, realPathInside } from './paths';

describe('confineToRoots', () => {
  let base: string;
  let root: string;
  let outside: string;

  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-paths-'));
    root = path.join(base, 'backups');
    outside = path.join(base, 'elsewhere');
    fs.mkdirSync(path.join(root, 'nightly'), { recursive: true });
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(root, 'escape'));
    fs.symlinkSync('/etc', path.join(root, 'etc-link'));
    fs.symlinkSync(path.join(root, 'nightly'), path.join(root, 'inner-link'));
    fs.symlinkSync(base, path.join(root, 'up-link'));
  });

  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  const hostile: Array<[string, () => unknown]> = [
    ['parent of the root', () => '..'],
    ['a parent segment', () => '../elsewhere'],
    ['a parent segment in the middle', () => 'nightly/../../elsewhere'],
    ['a trailing parent segment', () => 'nightly/..'],
    ['an absolute path elsewhere', () => '/etc'],
    ['an absolute path to the root\u2019s parent', () => base],
    ['an absolute path next to the root', () => outside],
    ['an absolute path sharing the root as a prefix', () => `${root}-evil`],
    ['an absolute path with .. back out', () => `${root}/../elsewhere`],
    ['a symlink out of the root', () => 'escape'],
    ['a folder under a symlink out of the root', () => 'escape/inside'],
    ['a symlink to /etc', () => 'etc-link'],
    ['a symlink to the root\u2019s parent', () => 'up-link/elsewhere'],
    ['a NUL byte', () => 'nightly\0/x'],
    ['a URL', () => 'file:///etc'],
    ['an S3 URL', () => 's3://bucket/backups'],
    ['backslash traversal', () => 'nightly\\..\\..\\elsewhere'],
    ['an encoded traversal taken literally, still inside', () => '%2e%2e/elsewhere'],
    ['an empty path', () => ''],
    ['only spaces', () => '   '],
    ['not a string', () => 42],
    ['null', () => null],
    ['a very long path', () => 'a/'.repeat(600)],
    ['the home folder', () => '~/backups'],
    ['a comma that the command line would split into a path outside', () => `nightly,${outside}`],
    ['a comma in an absolute path inside the root', () => `${root}/a,b`],
    ['a lone comma', () => ','],
  ];

  for (const [name, make] of hostile) {
    it(`refuses ${name}`, () => {
      const input = make();
      const r = confineToRoots(input, [root]);
      if (name === 'an encoded traversal taken literally, still inside' || name === 'the home folder') {
        // not traversal at all: a folder literally named "%2e%2e" or "~" inside the root
        expect(r).toEqual({ ok: true, path: path.join(root, String(input)) });
        return;
      }
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(5);
    });
  }

  it('accepts folders inside the root, relative or absolute, existing or not, and a symlink that stays inside', () => {
    expect(confineToRoots('nightly', [root])).toEqual({ ok: true, path: path.join(root, 'nightly') });
    expect(confineToRoots('weekly/offsite', [root])).toEqual({ ok: true, path: path.join(root, 'weekly/offsite') });
    expect(confineToRoots(path.join(root, 'nightly'), [root])).toEqual({ ok: true, path: path.join(root, 'nightly') });
    expect(confineToRoots(root, [root])).toEqual({ ok: true, path: root });
    expect(confineToRoots('inner-link', [root])).toEqual({ ok: true, path: path.join(root, 'inner-link') });
  });

  it('accepts a folder whose name starts with two dots (..old is inside; .. and ../x are not)', () => {
    fs.mkdirSync(path.join(root, '..old'));
    expect(confineToRoots('..old', [root])).toEqual({ ok: true, path: path.join(root, '..old') });
    expect(confineToRoots(path.join(root, '..old', 'x'), [root])).toEqual({ ok: true, path: path.join(root, '..old', 'x') });
    expect(confineAtUse(path.join(root, '..old'), [root])).toEqual({ ok: true, path: fs.realpathSync(path.join(root, '..old')) });
    expect(realPathInside(path.join(root, '..old'), [root])).toBe(true);
    expect(realPathInside(base, [root])).toBe(false);
  });

  it('accepts any of several roots, and nothing without roots', () => {
    expect(confineToRoots(path.join(outside, 'x'), [root, outside])).toEqual({ ok: true, path: path.join(outside, 'x') });
    expect(confineToRoots('nightly', [])).toMatchObject({ ok: false });
  });
});

describe('confineAtUse: a registered folder checked again when it is used', () => {
  let base: string;
  let root: string;
  let outside: string;

  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-paths-use-'));
    root = path.join(base, 'backups');
    outside = path.join(base, 'elsewhere');
    fs.mkdirSync(path.join(root, 'nightly'), { recursive: true });
    fs.mkdirSync(path.join(root, 'weekly'));
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'a-file'), 'x');
    fs.symlinkSync(path.join(root, 'weekly'), path.join(root, 'weekly-link'));
  });

  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('gives the real path of a folder inside the root, also through a symlink that stays inside', () => {
    expect(confineAtUse(path.join(root, 'nightly'), [root])).toEqual({ ok: true, path: fs.realpathSync(path.join(root, 'nightly')) });
    expect(confineAtUse(path.join(root, 'weekly-link'), [root])).toEqual({ ok: true, path: fs.realpathSync(path.join(root, 'weekly')) });
  });

  it('refuses a folder that was replaced by a symlink out of the root after it was registered', () => {
    const p = path.join(root, 'swapped');
    fs.mkdirSync(p);
    expect(confineToRoots(p, [root])).toEqual({ ok: true, path: p });
    expect(confineAtUse(p, [root]).ok).toBe(true);
    fs.rmdirSync(p);
    fs.symlinkSync(outside, p);
    const r = confineAtUse(p, [root]);
    expect(r).toEqual({ ok: false, error: `${p} leads to ${fs.realpathSync(outside)}, outside the backup root ${root}` });
    // the same swap one level up: a parent folder of the registered one replaced
    fs.mkdirSync(path.join(outside, 'deep'));
    const deep = path.join(root, 'swapped', 'deep');
    expect(confineAtUse(deep, [root]).ok).toBe(false);
  });

  it('refuses a folder that is gone, or is a file now', () => {
    expect(confineAtUse(path.join(root, 'gone'), [root])).toEqual({ ok: false, error: `${path.join(root, 'gone')} does not exist any more` });
    expect(confineAtUse(path.join(root, 'a-file'), [root])).toEqual({ ok: false, error: `${path.join(root, 'a-file')} is not a folder any more` });
  });

  it('the default folder is confined to the roots or its own configured path; other folders to the roots only', () => {
    const env = { backupRoots: [root], backupDir: outside };
    expect(folderRoots(env, { isDefault: true })).toEqual([root, outside]);
    expect(folderRoots(env, { isDefault: false })).toEqual([root]);
    expect(confineAtUse(outside, folderRoots(env, { isDefault: true })).ok).toBe(true);
    expect(confineAtUse(outside, folderRoots(env, { isDefault: false })).ok).toBe(false);
  });
});

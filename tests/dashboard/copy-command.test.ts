/** "Copy CLI command": the line a shell reads back as the job's own arguments. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine, shellQuote } from '@/components/ui/copy-command';

describe('commandLine', () => {
  it('leaves plain arguments bare and quotes the rest', () => {
    expect(commandLine(['database', 'restore', '--from-path=/srv/b/neo4j-2026.backup', '--restore-until=61', 'copy'])).toBe(
      'txline database restore --from-path=/srv/b/neo4j-2026.backup --restore-until=61 copy',
    );
    expect(shellQuote('--restore-until=2026-12-06 08:30:00')).toBe(`'--restore-until=2026-12-06 08:30:00'`);
  });

  it('is read back by a shell as the same arguments, whatever they hold', () => {
    const args = ['a b', "it's", '$(touch /tmp/x)', '`id`', 'semi;colon', 'new\nline', ''];
    const line = commandLine(args).replace(/^txline /, '');
    const out = execFileSync('/bin/sh', ['-c', `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8', timeout: 5000 });
    expect(out.split('\0').slice(0, -1)).toEqual(args);
  });
});

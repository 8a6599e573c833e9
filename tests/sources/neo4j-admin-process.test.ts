/**
 * How neo4j-admin runs (runAdmin): a launcher that forks the real command keeps the output pipes open through
 * its child, so the time bound and the end of a run kill the launcher's whole process group, and the run ends
 * within its bound even when a process it started holds the pipes; `backup inspect`'s table is kept whole, and
 * output beyond what is parsed fails instead of being cut; UTF-8 split across chunks stays whole. Real
 * processes (sh and sleep), no stand-ins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../../lib/sources/neo4j/backup-runner';
import { tempFolders } from '../helpers/cluster';

const { folder, removeAll } = tempFolders('neo4j-admin-process');
afterAll(removeAll);

/** An executable shell script in a fresh folder. */
function script(name: string, body: string): string {
  const file = path.join(folder(name), 'neo4j-admin');
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** Whether `pid` is gone (or a zombie nobody reaped yet: it runs nothing). */
function gone(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && !gone(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return gone(pid);
}

describe('runAdmin', () => {
  it('a run that overstays is stopped at its bound with every process it started, even one holding its output', async () => {
    const exe = script('overstays', 'sleep 60 &\necho "forked $!"\nwait');
    const lines: string[] = [];
    const t0 = Date.now();
    await expect(runAdmin(exe, 'database backup', ['neo4j'], { secrets: [], timeoutMs: 800, onLine: (l) => lines.push(l) })).rejects.toMatchObject({
      code: 'ADMIN_TOOL_FAILED',
      message: 'neo4j-admin database backup did not finish within 1 s and was stopped',
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    const forked = Number(/^forked (\d+)$/.exec(lines[0] ?? '')?.[1]);
    expect(forked).toBeGreaterThan(0);
    expect(await waitGone(forked)).toBe(true);
  });

  it('a launcher that exits while a process it started holds the output ends the run, and that process', async () => {
    const exe = script('leaves', 'sleep 60 &\necho "forked $!"\nexit 3');
    const lines: string[] = [];
    const t0 = Date.now();
    const ran = await runAdmin(exe, 'database backup', ['neo4j'], { secrets: [], timeoutMs: 30_000, onLine: (l) => lines.push(l) });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(ran.exitCode).toBe(3);
    const forked = Number(/^forked (\d+)$/.exec(lines[0] ?? '')?.[1]);
    expect(await waitGone(forked)).toBe(true);
  });

  it("keeps inspect's whole table (past the 1 MiB kept for messages), with UTF-8 split across chunks intact", async () => {
    // 3 MiB of rows naming a file with non-ASCII characters, written in pieces that split them
    const exe = script('table', `i=0\nwhile [ $i -lt 30000 ]; do printf '| /backups/bäckup-é-%05d.backup | neo4j | 100 characters of padding to make the table long enough to pass the head that is kept .... |\\n' $i; i=$((i+1)); done`);
    const all = await runAdmin(exe, 'backup inspect', [], { secrets: [], timeoutMs: 60_000, keep: 'all' });
    const rows = all.stdout.split('\n').filter(Boolean);
    expect(rows).toHaveLength(30000);
    expect(rows.every((r) => r.includes('/backups/bäckup-é-'))).toBe(true);
    expect(all.stdout.length).toBeGreaterThan(1 << 21);
    // without keep: 'all', only the head is kept (for messages), and the lines still all pass by
    let seen = 0;
    const head = await runAdmin(exe, 'backup inspect', [], { secrets: [], timeoutMs: 60_000, onLine: () => seen++ });
    expect(head.stdout.length).toBeLessThan(all.stdout.length);
    expect(seen).toBe(30000);
  });

  it('output beyond what is parsed fails the run instead of being cut', async () => {
    const exe = script('flood', 'yes "| a row of an endless inspect table |"');
    await expect(runAdmin(exe, 'backup inspect', [], { secrets: [], timeoutMs: 60_000, keep: 'all' })).rejects.toMatchObject({
      code: 'ADMIN_TOOL_FAILED',
      message: 'neo4j-admin backup inspect printed more than 64 MiB and was stopped',
    });
  });
});

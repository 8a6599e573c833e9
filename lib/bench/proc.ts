/**
 * What the benchmarks read about processes from /proc (Linux): the process tree, command lines, resident
 * memory and CPU time. A process that ends between listing and reading reads as gone (null, 0, empty).
 */
import fs from 'node:fs';

/** A /proc file's text; null when the process is gone (it may end between listing and reading). */
function readProc(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    throw e;
  }
}

/** Every process's children, from one reading of /proc. */
export function processTree(): Map<number, number[]> {
  const tree = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(`/proc/${name}/stat`);
    if (stat === null) continue;
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    tree.set(parent, [...(tree.get(parent) ?? []), Number(name)]);
  }
  return tree;
}

/** A process and its descendants. */
export function treeOf(pid: number, tree = processTree()): number[] {
  return [pid, ...(tree.get(pid) ?? []).flatMap((k) => treeOf(k, tree))];
}

/** CPU seconds (user + system) a process has used; 0 when it is gone. Clock ticks are 100 a second on Linux. */
export function cpuSecondsOf(pid: number): number {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === null) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function cmdline(pid: number): string[] {
  return (readProc(`/proc/${pid}/cmdline`) ?? '').split('\0');
}

/** Resident set size in bytes; 0 when the process is gone. */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readProc(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}

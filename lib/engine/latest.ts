/**
 * `<db>-latest`: the name of a database's newest restorable backup in a folder (the Helm chart's convention).
 * `--from-path=<folder>/<db>-latest` stands for that artifact's path wherever a command takes an artifact file
 * (restore, check, inspect, aggregate). No such file exists and nothing is copied: the name is resolved when
 * the command starts.
 *
 * - A real file or folder of that name wins: the name is only resolved when nothing is there.
 * - Restorable: the artifact's chain is intact by the chain rules (chain.ts); the newest such artifact that
 *   holds something (an empty differential stands for the same state as its parent). The payloads are not
 *   read here: restore and check verify them as they always do.
 * - Confined (confine.ts), the folder is read only inside the backup roots.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TxlineError } from '../errors';
import { isValidDatabaseName } from '../graph/names';
import { folderLocation, listArtifactsIn } from './artifact';
import { isLocationUrl, openLocation, type Location } from '../storage';
import { ChainIndex, byTime, isEmpty, type ChainNode } from './chain';
import { confinedPath, engineRoots } from './confine';
import type { EngineLog } from './progress';

export const LATEST_SUFFIX = '-latest';

/** The database a `<db>-latest` base name stands for, or null when it is not one. */
export function latestDatabase(base: string): string | null {
  if (!base.endsWith(LATEST_SUFFIX)) return null;
  const db = base.slice(0, -LATEST_SUFFIX.length);
  return isValidDatabaseName(db) && db === db.toLowerCase() ? db : null;
}

export type LatestChoice<T extends ChainNode> = { ok: true; artifact: T } | { ok: false; problem: string; code: 'PATH_NOT_FOUND' | 'CHAIN_BROKEN' };

/** The newest artifact of `database` whose chain is intact and that holds something. */
export function newestRestorable<T extends ChainNode>(all: readonly T[], database: string): LatestChoice<T> {
  const mine = all.filter((a) => a.database === database);
  if (mine.length === 0) return { ok: false, code: 'PATH_NOT_FOUND', problem: `there are no backups of ${database}` };
  const index = new ChainIndex(mine);
  let best: T | undefined;
  let broken: string | undefined;
  for (const a of mine) {
    const st = index.status(a);
    if (!st.ok) broken ??= st.problem;
    else if (!isEmpty(a) && (!best || byTime(a, best) > 0)) best = a;
  }
  if (best) return { ok: true, artifact: best };
  return { ok: false, code: 'CHAIN_BROKEN', problem: `no backup of ${database} is restorable (${broken ?? 'every one is empty'})` };
}

/**
 * `p` itself, or, when it names `<location>/<db>-latest` and nothing of that name exists, the address of the
 * newest restorable artifact of `<db>` in `<location>` (a folder, or a location URL). Fails, naming the
 * location, when there is none.
 */
export async function resolveLatest(p: string, log?: EngineLog): Promise<string> {
  let loc: Location;
  let base: string;
  if (isLocationUrl(p)) {
    const cut = p.lastIndexOf('/');
    base = p.slice(cut + 1);
    if (!latestDatabase(base) || cut <= p.indexOf('://') + 2) return p;
    loc = openLocation(p.slice(0, cut), { roots: engineRoots() });
    if (await loc.stat(base).catch(() => null)) return p;
  } else {
    const abs = path.resolve(p);
    base = path.basename(abs);
    if (!latestDatabase(base) || fs.lstatSync(abs, { throwIfNoEntry: false })) return p;
    const dir = path.dirname(abs);
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return p; // the command says that it does not exist
    loc = folderLocation(confinedPath(dir, '--from-path'));
  }
  const db = latestDatabase(base) as string;
  const listed = await listArtifactsIn(loc);
  const choice = newestRestorable(listed.artifacts, db);
  if (!choice.ok) {
    const unread = listed.problems.length ? ` (${listed.problems.length} *.backup file(s) there could not be read)` : '';
    throw new TxlineError(choice.code, `${p} names the newest restorable backup of ${db} in ${loc.describe()}, but ${choice.problem}${unread}`);
  }
  log?.info(`${p} is ${choice.artifact.file}, the newest restorable backup of ${db} (transaction ${choice.artifact.tipTx}, ${choice.artifact.time})`);
  return choice.artifact.path;
}

/**
 * What `txline schedule` does (see schedule.ts): reads and writes the catalog directly, as the server does;
 * a running server picks a change up at its next tick. The location is a local folder taken as given
 * (relative to the working directory) and registered as a backup folder when it is not one yet; the server
 * still confines it to the backup roots every time a scheduled backup uses it, so one outside them is refused
 * then, and `set` says so now. An `s3://bucket/prefix` location is registered by its canonical URL (the backup
 * roots confine folders only; a URL with credentials in it is refused).
 */
import fs from 'node:fs';
import path from 'node:path';
import { openCatalog, type Catalog } from '../../db';
import { ensureFolder, getFolder, listClusters, listFolders } from '../../db/queries/clusters';
import { listSchedules } from '../../db/queries/schedules';
import type { BackupFolderRow, ClusterRow, ScheduleRow } from '../../db/schema';
import { parseEnv, type TxlineEnv } from '../../env';
import { describeError, TxlineError } from '../../errors';
import { folderRoots, realPathInside } from '../../auth/paths';
import { canonicalLocationUrl, isLocationUrl } from '../../storage';
import { checkScheduleFields, setSchedule, unsetSchedule, upcoming } from '../../schedules/store';
import { drillCronOf, nextDrillAfter } from '../../schedules/drill-cron';
import { chooseDrillTarget, drillTargetOf, drillTargetProblem } from '../../schedules/drill-target';
import { isValidDatabaseName } from '../../graph/names';
import { registerDefaultCluster } from '../../server/startup';

function open(): { db: Catalog; env: TxlineEnv } {
  const env = parseEnv();
  const db = openCatalog(env.catalog);
  registerDefaultCluster(db, env);
  return { db, env };
}

/** `--drill-to`: a cluster that can take drills (null: the database's own), for a database named, not a glob. */
function drillTargetNamed(db: Catalog, database: string, raw: string, own: ClusterRow): ClusterRow | null {
  if (!isValidDatabaseName(database.trim().toLowerCase()) || /[*?]/.test(database)) {
    throw new TxlineError('INVALID_ARGUMENT', `--drill-to: a drill target is chosen per database; "${database}" is a glob`, { details: { field: 'drill-to' } });
  }
  const t = raw.trim();
  if (t === '' || t.toLowerCase() === 'own') return null;
  const target = clusterNamed(db, t);
  const problem = target.id === own.id ? null : drillTargetProblem(target);
  if (problem) throw new TxlineError('NOT_SUPPORTED', `--drill-to: ${problem}`);
  return target;
}

function clusterNamed(db: Catalog, name: string | undefined): ClusterRow {
  const all = listClusters(db);
  const c = name === undefined ? all.find((x) => x.startedHere) : all.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (c) return c;
  const known = all.map((x) => x.name).join(', ') || 'none';
  throw new TxlineError('NOT_FOUND', name === undefined ? `there is no embedded cluster in the catalog; name one with --cluster (known: ${known})` : `there is no cluster named "${name}" (known: ${known})`);
}

/** A registered folder at `raw` (resolved from the working directory), registering it when it is new. */
function folderAt(db: Catalog, raw: string): { folder: BackupFolderRow; registered: boolean } {
  const t = raw.trim();
  if (t === '' || t.includes('\0')) throw new TxlineError('INVALID_ARGUMENT', 'location: a folder is required');
  if (isLocationUrl(t)) return locationAt(db, t);
  const resolved = path.resolve(t);
  if (resolved.includes(',')) throw new TxlineError('INVALID_ARGUMENT', `location: ${resolved} contains a comma, which the command line would read as a list of paths`);
  let real = resolved;
  try {
    fs.mkdirSync(resolved, { recursive: true });
    real = fs.realpathSync(resolved);
  } catch (e) {
    throw new TxlineError('IO_ERROR', `location: cannot create ${resolved}: ${describeError(e)}`, { cause: e });
  }
  const folders = listFolders(db);
  const cur = folders.find((f) => f.path === resolved || f.path === real);
  if (cur) return { folder: cur, registered: false };
  return { folder: ensureFolder(db, { name: freeName(folders, path.basename(real)), path: real, isDefault: false }), registered: true };
}

/**
 * A registered storage location at the URL `raw` (`s3://bucket/prefix`, checked and made canonical: a URL with
 * credentials in it is refused, never echoed), registering it when it is new under a name made of its bucket and
 * prefix. Nothing is sent to the storage: the server's runs reach it with the server's AWS environment.
 */
function locationAt(db: Catalog, raw: string): { folder: BackupFolderRow; registered: boolean } {
  let url: string;
  try {
    url = canonicalLocationUrl(raw) as string;
  } catch (e) {
    if (e instanceof TxlineError) throw new TxlineError('INVALID_ARGUMENT', `location: ${e.message}`, { cause: e });
    throw e;
  }
  const folders = listFolders(db);
  const cur = folders.find((f) => f.path === url);
  if (cur) return { folder: cur, registered: false };
  return { folder: ensureFolder(db, { name: freeName(folders, url.slice('s3://'.length)), path: url, isDefault: false }), registered: true };
}

/** A folder name made of `raw` (its safe characters) that no registered folder has yet. */
function freeName(folders: BackupFolderRow[], raw: string): string {
  const taken = new Set(folders.map((f) => f.name.toLowerCase()));
  const base = (raw.replace(/[^A-Za-z0-9 ._-]/g, '-').slice(0, 56) || 'folder').replace(/^[ .]+/, '') || 'folder';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}-${i}`;
  return name;
}

/** A time as UTC, and in the schedule's zone when that is another. */
export function formatRun(ms: number, tz: string): string {
  const utc = new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
  if (tz === 'UTC') return utc;
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(ms));
  return `${utc} (${local} ${tz})`;
}

interface Listed {
  cluster: string;
  database: string;
  full: string | null;
  diff: string | null;
  timeZone: string;
  enabled: boolean;
  location: string | null;
  nextFull: string | null;
  nextDiff: string | null;
  /** the restore drills' cron (null: none) and the next drill */
  drill: string | null;
  nextDrill: string | null;
}

function listed(db: Catalog, s: ScheduleRow, clusters: Map<number, string>, now: number): Listed {
  const next = upcoming(s, now, 1);
  const iso = (v: number | undefined) => (v === undefined ? null : new Date(v).toISOString());
  return {
    cluster: clusters.get(s.clusterId) ?? `#${s.clusterId}`,
    database: s.databaseGlob,
    full: s.fullCron,
    diff: s.diffCron,
    timeZone: s.timeZone,
    enabled: s.enabled,
    location: getFolder(db, { id: s.folderId })?.path ?? null,
    nextFull: iso(next.full[0]),
    nextDiff: iso(next.diff[0]),
    drill: drillCronOf(s),
    nextDrill: iso(nextDrillAfter(s, now) ?? undefined),
  };
}

export function listCommand(o: { json: boolean }): void {
  const { db } = open();
  try {
    const clusters = new Map(listClusters(db).map((c) => [c.id, c.name]));
    const rows = listSchedules(db).map((s) => listed(db, s, clusters, Date.now()));
    if (o.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) {
      process.stdout.write('No schedules. Add one with: txline schedule set "<database>" --full="0 2 * * *" --location=<folder>\n');
      return;
    }
    const table = [
      ['CLUSTER', 'DATABASE', 'FULL', 'DIFF', 'TZ', 'ENABLED', 'LOCATION', 'NEXT FULL (UTC)', 'NEXT DIFF (UTC)'],
      ...rows.map((r) => [r.cluster, r.database, r.full ?? '-', r.diff ?? '-', r.timeZone, r.enabled ? 'yes' : 'no', r.location ?? '?', r.nextFull ?? '-', r.nextDiff ?? '-']),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    for (const row of table) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
  } finally {
    db.$client.close();
  }
}

export function setCommand(database: string, o: { cluster?: string; full?: string; diff?: string; location: string; tz: string; disabled: boolean; drill?: string; drillTo?: string }): void {
  const { db, env } = open();
  try {
    const cluster = clusterNamed(db, o.cluster);
    if (!o.full?.trim() && !o.diff?.trim()) throw new TxlineError('INVALID_ARGUMENT', 'give --full, --diff, or both');
    checkScheduleFields({ databaseGlob: database, fullCron: o.full, diffCron: o.diff, timeZone: o.tz }); // before the folder is made
    const drillTo = o.drillTo === undefined ? undefined : drillTargetNamed(db, database, o.drillTo, cluster);
    const { folder, registered } = folderAt(db, o.location);
    const now = Date.now();
    const r = setSchedule(db, { clusterId: cluster.id, databaseGlob: database, fullCron: o.full, diffCron: o.diff, timeZone: o.tz, enabled: !o.disabled, folderId: folder.id, drillCron: o.drill }, now);
    const s = r.row;
    const out = [
      `${r.created ? 'Created' : 'Replaced'} the schedule of "${s.databaseGlob}" on ${cluster.name}${s.enabled ? '' : ' (disabled)'}: into ${folder.path}${registered ? ` (registered as the backup folder "${folder.name}")` : ''}`,
    ];
    for (const type of ['full', 'diff'] as const) {
      const cron = type === 'full' ? s.fullCron : s.diffCron;
      if (!cron) continue;
      const times = r.next[type];
      out.push(`  ${type} "${cron}" (${s.timeZone}): ${times.length ? `next runs ${times.map((t) => formatRun(t, s.timeZone)).join(', ')}` : s.enabled ? 'never runs again' : 'disabled'}`);
    }
    const drill = drillCronOf(s);
    const nextDrill = nextDrillAfter(s, now);
    out.push(drill ? `  restore drills "${drill}" (${s.timeZone}) of each database: ${nextDrill !== null ? `next ${formatRun(nextDrill, s.timeZone)}` : s.enabled ? 'never run again' : 'disabled'}` : '  no scheduled restore drills');
    if (drillTo !== undefined) {
      chooseDrillTarget(db, cluster, s.databaseGlob, drillTo);
      out.push(`  drills of ${s.databaseGlob} restore into ${drillTo && drillTo.id !== cluster.id ? `cluster ${drillTo.name}` : `its own cluster ${cluster.name}`}`);
    } else {
      const t = drillTargetOf(db, cluster, s.databaseGlob);
      if (t.chosen) out.push(`  drills of ${s.databaseGlob} restore into cluster ${t.cluster.name}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    if (!isLocationUrl(folder.path) && !realPathInside(folder.path, folderRoots(env, folder))) {
      process.stderr.write(`txline: warning: ${folder.path} is outside the backup roots (${env.backupRoots.join(', ')}); the server refuses to back up into it until TXLINE_BACKUP_ROOTS includes it\n`);
    }
  } finally {
    db.$client.close();
  }
}

export function removeCommand(database: string, o: { cluster?: string }): void {
  const { db } = open();
  try {
    const cluster = clusterNamed(db, o.cluster);
    const row = unsetSchedule(db, { clusterId: cluster.id, databaseGlob: database });
    process.stdout.write(`Removed the schedule of "${row.databaseGlob}" on ${cluster.name}\n`);
  } finally {
    db.$client.close();
  }
}

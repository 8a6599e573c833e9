/**
 * Server component: what the wizard can offer (clusters, backup folders, databases with their backup counts
 * per folder) and where it starts. A link from a database or an artifact (/restore?database=&folder=&artifact=)
 * fills the first step and opens the wizard on the restore point.
 */
import 'server-only';
import { isValidDatabaseName, normalizeDatabaseName } from '@/lib/graph/names';
import { clusterSnapshots } from '@/lib/dashboard/data';
import { databasesWithBackups, getArtifact } from '@/lib/db/queries/artifacts';
import { defaultFolder, getCluster, listFolders } from '@/lib/db/queries/clusters';
import { serverContext } from '@/lib/server/context';
import { clusterKind } from '@/lib/sources';
import { RestoreWizard, type WizardOptions } from './restore-wizard';
import type { RestoreValues, StepId } from './wizard-model';

export interface RestoreSearch {
  database?: string;
  folder?: string;
  artifact?: string;
}

export async function RestoreWizardLoader({ search }: { search: RestoreSearch }) {
  const ctx = serverContext();
  const snaps = await clusterSnapshots(ctx);
  const folders = listFolders(ctx.db);
  const counts = new Map<string, Record<number, number>>();
  for (const f of folders) {
    for (const d of databasesWithBackups(ctx.db, { folderId: f.id })) {
      const c = counts.get(d.database) ?? {};
      c[f.id] = d.count;
      counts.set(d.database, c);
    }
  }
  const onCluster = new Map<string, number>();
  for (const s of snaps) for (const m of s.report.members) for (const d of m.databases) if (!onCluster.has(d.name)) onCluster.set(d.name, s.cluster.id);
  const names = [...new Set([...onCluster.keys(), ...counts.keys()])].sort((a, b) => (a === 'system') !== (b === 'system') ? (a === 'system' ? 1 : -1) : a.localeCompare(b));
  const options: WizardOptions = {
    clusters: snaps.map((s) => ({ id: s.cluster.id, name: s.cluster.name, unreadable: clusterKind(s.cluster.kind).artifactsUnreadableReason ?? null, location: getCluster(ctx.db, { id: s.cluster.id })?.location ?? null })),
    folders: folders.map((f) => ({ id: f.id, name: f.name, path: f.path, isDefault: f.isDefault })),
    databases: names.map((name) => ({ name, clusterId: onCluster.get(name) ?? null, backups: counts.get(name) ?? {} })),
  };

  // Where the wizard starts: an artifact names its database and folder; otherwise the query's, or the defaults.
  const artifactId = Number(search.artifact);
  const artifact = Number.isInteger(artifactId) && artifactId > 0 ? getArtifact(ctx.db, { id: artifactId }) : undefined;
  const askedDb = search.database && isValidDatabaseName(search.database) ? normalizeDatabaseName(search.database) : undefined;
  const database = artifact?.database ?? askedDb ?? '';
  const askedFolder = folders.find((f) => f.id === Number(search.folder));
  const folder = (artifact && folders.find((f) => f.id === artifact.folderId)) ?? askedFolder ?? defaultFolder(ctx.db) ?? folders[0];
  const clusterId = onCluster.get(database) ?? snaps[0]?.cluster.id;
  const values: RestoreValues = {
    clusterId: clusterId ? String(clusterId) : '',
    folderId: folder ? String(folder.id) : '',
    database,
    point: artifact ? 'artifact' : 'latest',
    artifactId: artifact ? String(artifact.id) : '',
    tx: '',
    time: '',
    targetMode: 'new',
    newName: '',
    confirm: '',
  };
  const hasBackups = Boolean(database && folder && (counts.get(database)?.[folder.id] ?? 0) > 0);
  const step: StepId = hasBackups && (artifact || askedDb) ? 'point' : 'source';
  return <RestoreWizard options={options} initialValues={values} initialStep={step} />;
}

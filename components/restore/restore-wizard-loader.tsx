/**
 * Server component: what the wizard can offer (clusters, backup folders, databases with their backup counts
 * per folder: all of them, or past WIZARD_LIST_LIMIT only the one asked for, lib/dashboard/restore-databases.ts)
 * and where it starts. A link from a database or an artifact (/restore?database=&folder=&artifact=)
 * fills the first step and opens the wizard on the restore point.
 */
import 'server-only';
import { isValidDatabaseName, normalizeDatabaseName } from '@/lib/graph/names';
import { clusterSnapshots } from '@/lib/dashboard/data';
import { getArtifact } from '@/lib/db/queries/artifacts';
import { wizardDatabases } from '@/lib/dashboard/restore-databases';
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
  // (the query's database is validated before it is looked up: at fleet size only it is sent with the page)
  const artifactId = Number(search.artifact);
  const artifact = Number.isInteger(artifactId) && artifactId > 0 ? getArtifact(ctx.db, { id: artifactId }) : undefined;
  const askedDb = search.database && isValidDatabaseName(search.database) ? normalizeDatabaseName(search.database) : undefined;
  const database = artifact?.database ?? askedDb ?? '';
  const listing = wizardDatabases(
    ctx.db,
    snaps,
    folders.map((f) => f.id),
    database || undefined,
  );
  const options: WizardOptions = {
    clusters: snaps.map((s) => ({ id: s.cluster.id, name: s.cluster.name, unreadable: clusterKind(s.cluster.kind).artifactsUnreadableReason ?? null, location: getCluster(ctx.db, { id: s.cluster.id })?.location ?? null })),
    folders: folders.map((f) => ({ id: f.id, name: f.name, path: f.path, isDefault: f.isDefault })),
    databases: listing.databases,
    databaseTotal: listing.total,
    listed: listing.listed,
  };

  // Where the wizard starts: an artifact names its database and folder; otherwise the query's, or the defaults.
  const askedFolder = folders.find((f) => f.id === Number(search.folder));
  const folder = (artifact && folders.find((f) => f.id === artifact.folderId)) ?? askedFolder ?? defaultFolder(ctx.db) ?? folders[0];
  const chosen = listing.databases.find((d) => d.name === database);
  const clusterId = chosen?.clusterId ?? snaps[0]?.cluster.id;
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
  const hasBackups = Boolean(database && folder && (chosen?.backups[folder.id] ?? 0) > 0);
  const step: StepId = hasBackups && (artifact || askedDb) ? 'point' : 'source';
  return <RestoreWizard options={options} initialValues={values} initialStep={step} />;
}

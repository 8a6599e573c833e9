/**
 * A stand-in for the dashboard's server process in startup.test.ts: starts the server's parts the way
 * `txline serve` does (startServer over the environment), starts one backup job through the job runner, prints
 * it as a JSON line, and stays up until it is killed.
 *
 *   node --import tsx tests/dashboard/server-process.ts <database> <folder path> <source member address>
 */
import { getFolder, listClusters, listFolders } from '../../lib/db/queries/clusters';
import { parseEnv } from '../../lib/env';
import { startServer } from '../../lib/server/startup';

const [database, folderPath, from] = process.argv.slice(2);
const ctx = startServer(parseEnv());
const folder = listFolders(ctx.db).find((f) => f.path === folderPath);
if (!folder || !getFolder(ctx.db, { id: folder.id })) throw new Error(`no backup folder ${folderPath}`);
const r = ctx.runner.start({
  kind: 'backup',
  database,
  clusterId: listClusters(ctx.db)[0].id,
  folderId: folder.id,
  params: {},
  input: { database, toPath: folderPath, type: 'full', compress: true, preferDiffAsParent: false, from: [from], confineToRoots: [] },
  createdBy: 'server-process',
});
process.stdout.write(`${JSON.stringify(r)}\n`);
setInterval(() => undefined, 60_000);

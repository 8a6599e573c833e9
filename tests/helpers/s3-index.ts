/**
 * What the catalog's S3 index tests share (tests/dashboard/s3-index*.test.ts): a real s3rver behind a counting
 * proxy (tests/helpers/s3.ts), this process's AWS variables pointing at the proxy as the server's would (put back
 * after), a catalog in a temporary folder and a backup root the index is confined to. `setUpIndexedS3(label)`
 * registers the file's beforeAll and afterAll; its fields are set once beforeAll has run.
 */
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { tempFolders } from './cluster';
import { countingProxy, s3rverEnv, setProcessEnv, startS3, type TestS3 } from './s3';

export interface IndexedS3 {
  s3: TestS3;
  /** in front of `s3`: what the index asked for */
  proxy: Awaited<ReturnType<typeof countingProxy>>;
  db: Catalog;
  /** a backup root (the index runs confined to it, as the server's does) */
  roots: string;
  /** a new temporary folder of the test file, removed after it */
  folder(name: string): string;
}

export function setUpIndexedS3(label: string): IndexedS3 {
  const { folder, removeAll } = tempFolders(label);
  const t = { folder } as IndexedS3;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    t.s3 = await startS3();
    t.proxy = await countingProxy(t.s3.endpoint);
    restoreEnv = setProcessEnv(s3rverEnv(t.proxy.endpoint));
    t.db = openCatalog(path.join(folder('catalog'), 'txline.sqlite'));
    t.roots = folder('roots');
  }, 60_000);
  afterAll(async () => {
    t.db?.$client.close();
    await t.proxy?.stop();
    await t.s3?.stop();
    restoreEnv?.();
    removeAll();
  });
  return t;
}

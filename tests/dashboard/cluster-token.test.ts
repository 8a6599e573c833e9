/**
 * A remote cluster's token in Settings: the commands the settings actions call store it in the catalog and
 * never hand it back (result, field errors, audit note), and what the settings page reads says only whether
 * one is set. The catalog file that holds it is the server's own (mode 0600).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cmd from '../../lib/dashboard/commands/clusters';
import type { CommandContext } from '../../lib/dashboard/commands/shared';
import { clusterSettingsItems } from '../../lib/dashboard/settings';
import { openCatalog, type Catalog } from '../../lib/db';
import { getCluster, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { parseEnv } from '../../lib/env';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { tempFolders } from '../helpers/cluster';
import { TXLINE_BIN } from '../helpers/engine';

const TOKEN = 'remote-secret-0123456789abcdef';
const NEW_TOKEN = 'replaced-secret-0123456789abcdef';
const temp = tempFolders('cluster-token');
let dir: string;
let db: Catalog;
let ctx: CommandContext;

beforeAll(() => {
  dir = temp.folder('catalog');
  const env = parseEnv({ TXLINE_DATA_DIR: dir });
  db = openCatalog(env.catalog);
  ctx = { db, env, runner: new JobRunner(db, { bin: TXLINE_BIN }), collector: new Collector(db, env, { intervalMs: 1000 }), reindex: async () => undefined };
});

afterAll(() => {
  db?.$client.close();
  temp.removeAll();
});

/** Everything a caller gets back, as the browser would receive it. */
const shown = (v: unknown) => JSON.stringify(v);

describe('the token of a remote cluster', () => {
  it('is stored when the cluster is added, and neither the result nor its audit note carries it', () => {
    const r = cmd.addCluster(ctx, { name: 'remote', addresses: '10.0.0.1:6362, 10.0.0.2:6362', token: ` ${TOKEN} ` });
    expect(r).toMatchObject({ ok: true, audit: { detail: '10.0.0.1:6362, 10.0.0.2:6362; with a token' } });
    expect(shown(r)).not.toContain(TOKEN);
    if (!r.ok) return;
    expect(getCluster(db, { id: r.clusterId })?.token).toBe(TOKEN);

    const none = cmd.addCluster(ctx, { name: 'plain', addresses: '10.0.0.3:6362', token: '' });
    expect(none).toMatchObject({ ok: true, audit: { detail: '10.0.0.3:6362; no token' } });
    if (none.ok) expect(getCluster(db, { id: none.clusterId })?.token).toBeNull();
  });

  it('that is malformed, or given with a name taken, is refused without being echoed', () => {
    const bad = cmd.addCluster(ctx, { name: 'bad', addresses: '10.0.0.4:6362', token: 'short secret' });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', fieldErrors: { token: ['must be 16 to 1024 printable characters without spaces'] } });
    expect(shown(bad)).not.toContain('short secret');
    const taken = cmd.addCluster(ctx, { name: 'remote', addresses: '10.0.0.5:6362', token: NEW_TOKEN });
    expect(taken).toMatchObject({ ok: false, code: 'ALREADY_EXISTS', fieldErrors: { name: ['already taken'] } });
    expect(shown(taken)).not.toContain(NEW_TOKEN);
  });

  it('is replaced and removed; each change is audited by what it did, never with the token', () => {
    const id = clusterId('remote');
    const replaced = cmd.updateClusterToken(ctx, { clusterId: String(id), token: NEW_TOKEN });
    expect(replaced).toEqual({ ok: true, hasToken: true, audit: { target: 'cluster=remote', detail: 'token replaced' } });
    expect(getCluster(db, { id })?.token).toBe(NEW_TOKEN);

    const empty = cmd.updateClusterToken(ctx, { clusterId: String(id), token: '' });
    expect(empty).toMatchObject({ ok: false, fieldErrors: { token: ['is required'] } });
    expect(getCluster(db, { id })?.token).toBe(NEW_TOKEN);

    expect(cmd.updateClusterToken(ctx, { clusterId: String(id), remove: 'true' })).toEqual({ ok: true, hasToken: false, audit: { target: 'cluster=remote', detail: 'token removed' } });
    expect(getCluster(db, { id })?.token).toBeNull();

    const set = cmd.updateClusterToken(ctx, { clusterId: String(clusterId('plain')), token: TOKEN });
    expect(set).toEqual({ ok: true, hasToken: true, audit: { target: 'cluster=plain', detail: 'token set' } });
    expect(shown(set)).not.toContain(TOKEN);
  });

  it('is not taken by the embedded cluster (its token is its token file)', () => {
    const embedded = upsertEmbeddedCluster(db, { addresses: ['127.0.0.1:6362'], controlAddress: null });
    expect(cmd.updateClusterToken(ctx, { clusterId: String(embedded.id), token: TOKEN })).toMatchObject({ ok: false, code: 'NOT_SUPPORTED', error: expect.stringMatching(/embedded cluster/) });
    expect(getCluster(db, { id: embedded.id })?.token).toBeNull();
  });

  it('reaches the settings page only as "set" or not', () => {
    const items = clusterSettingsItems(db, ctx.collector.latest);
    expect(items.map((c) => [c.name, c.kind, c.startedHere, c.hasToken])).toEqual([
      ['remote', 'txline', false, false],
      ['plain', 'txline', false, true],
      ['embedded', 'txline', true, false],
    ]);
    expect(shown(items)).not.toContain(TOKEN);
  });

  it('lives in a catalog file only its owner can read', () => {
    for (const f of [ctx.env.catalog, `${ctx.env.catalog}-wal`]) expect(fs.statSync(f).mode & 0o077, f).toBe(0);
    // a catalog left readable by an older version is tightened when opened
    const loose = path.join(temp.folder('loose'), 'txline.sqlite');
    openCatalog(loose).$client.close();
    fs.chmodSync(loose, 0o644);
    openCatalog(loose).$client.close();
    expect(fs.statSync(loose).mode & 0o777).toBe(0o600);
  });
});

function clusterId(name: string): number {
  const c = clusterSettingsItems(db, ctx.collector.latest).find((x) => x.name === name);
  if (!c) throw new Error(`no cluster ${name}`);
  return c.id;
}

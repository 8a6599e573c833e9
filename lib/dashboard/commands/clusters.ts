/**
 * Clusters: a member's controls (through the cluster's kind, lib/sources: only those its capabilities name),
 * and register, re-token or remove a cluster this server did not start. A cluster's token goes to the catalog and that cluster's members only: no
 * result, error or audit note carries it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import { confineToRoots } from '../../auth/paths';
import { checkBoltUri } from '../../sources/neo4j/bolt';
import { sealPassword } from '../../sources/neo4j/secret';
import { codeOf, describeError } from '../../errors';
import { catalogConnection, CONTROL_NEEDS, kindOf } from '../../sources';
import { addNeo4jCluster, addRemoteCluster, getCluster, listClusters, listFolders, removeCluster, setClusterTokenOf } from '../../db/queries/clusters';
import { lagSamples } from '../../db/schema';
import { CLUSTER_TOKEN } from '../../env';
import { displayName, bool, fail, fromZod, HOST_PORT, id, type CommandContext, type Result } from './shared';

export const memberControlInput = z.object({
  clusterId: id,
  memberId: z.string().regex(/^[a-z0-9-]{1,64}$/, { error: 'unknown member' }),
  action: z.enum(['pause', 'resume', 'stop', 'start'], { error: 'unknown action' }),
});

export async function controlMember(ctx: CommandContext, raw: unknown): Promise<Result<{ message: string }>> {
  const p = memberControlInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const { clusterId, memberId, action } = p.data;
  const cluster = getCluster(ctx.db, { id: clusterId });
  if (!cluster) return fail('NOT_FOUND', `There is no cluster #${clusterId}.`);
  const member = ctx.collector.latest.get(clusterId)?.report.members.find((m) => m.id === memberId);
  const c = catalogConnection(cluster);
  const kind = kindOf(c);
  if (!kind.capabilities(c).has(CONTROL_NEEDS[action])) {
    const what = action === 'stop' || action === 'start' ? 'Members can only be stopped and started in the embedded cluster.' : `${kind.label} clusters offer no ${action} control.`;
    return fail('NOT_SUPPORTED', what);
  }
  if (!member?.reachable && (action === 'pause' || action === 'resume')) return fail('SOURCE_UNREACHABLE', `${memberId} cannot be reached; start it first.`);
  try {
    const message = await kind.control(c, member ?? { id: memberId, address: '', reachable: false }, action, ctx.env);
    return { ok: true, message };
  } catch (e) {
    return fail(codeOf(e, 'SOURCE_UNREACHABLE'), `Could not ${action} ${memberId}: ${describeError(e)}`);
  }
}

/** A remote cluster's member token, as TXLINE_CLUSTER_TOKEN takes it; empty: none. */
const clusterToken = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined))
  .refine((v) => v === undefined || CLUSTER_TOKEN.test(v), { error: 'must be 16 to 1024 printable characters without spaces' });

export const clusterInput = z.object({
  name: displayName,
  addresses: z
    .string()
    .trim()
    .min(1, { error: 'list at least one host:port' })
    .transform((v, c) => {
      const list = v.split(/[\s,]+/).filter(Boolean);
      const bad = list.filter((a) => !HOST_PORT.test(a) || Number(HOST_PORT.exec(a)?.[1]) > 65535);
      if (bad.length) {
        c.addIssue({ code: 'custom', message: `not host:port: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return [...new Set(list)];
    }),
  token: clusterToken,
});

/**
 * Registers a remote cluster, with its own member token if it has one. No result, error or audit note
 * carries the token: it goes to the catalog and to that cluster's members only.
 */
export function addCluster(ctx: CommandContext, raw: unknown): Result<{ clusterId: number; audit: { detail: string } }> {
  const p = clusterInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  if (listClusters(ctx.db).some((c) => c.name.toLowerCase() === p.data.name.toLowerCase())) return fail('ALREADY_EXISTS', `A cluster named ${p.data.name} exists.`, { name: ['already taken'] });
  const row = addRemoteCluster(ctx.db, { name: p.data.name, addresses: p.data.addresses, token: p.data.token ?? null });
  return { ok: true, clusterId: row.id, audit: { detail: `${row.addresses.join(', ')}; ${row.token ? 'with a token' : 'no token'}` } };
}

export const clusterTokenInput = z.object({ clusterId: id, token: clusterToken, remove: bool });

/** Sets, replaces or (`remove`) removes a remote cluster's member token. */
export function updateClusterToken(ctx: CommandContext, raw: unknown): Result<{ hasToken: boolean; audit: { target: string; detail: string } }> {
  const p = clusterTokenInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const c = getCluster(ctx.db, { id: p.data.clusterId });
  if (!c) return fail('NOT_FOUND', `There is no cluster #${p.data.clusterId}.`);
  if (c.startedHere) return fail('NOT_SUPPORTED', 'The embedded cluster uses its own token file; it takes no token here.');
  const token = p.data.remove ? null : p.data.token;
  if (token === undefined) return fail('INVALID_ARGUMENT', 'Type the token, or remove the one set.', { token: ['is required'] });
  setClusterTokenOf(ctx.db, { id: c.id, token });
  const detail = token === null ? (c.token ? 'token removed' : 'no token (none was set)') : c.token ? 'token replaced' : 'token set';
  return { ok: true, hasToken: token !== null, audit: { target: `cluster=${c.name}`, detail } };
}

export function deleteCluster(ctx: CommandContext, raw: unknown): Result {
  const p = z.object({ clusterId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const c = getCluster(ctx.db, { id: p.data.clusterId });
  if (!c) return fail('NOT_FOUND', `There is no cluster #${p.data.clusterId}.`);
  if (c.startedHere) return fail('NOT_SUPPORTED', 'The embedded cluster cannot be removed.');
  removeCluster(ctx.db, { id: c.id });
  ctx.db.delete(lagSamples).where(eq(lagSamples.clusterId, c.id)).run(); // its history goes with it
  ctx.collector.latest.delete(c.id);
  return { ok: true };
}

/**
 * A Neo4j cluster registered from the browser, with the fields of `txline cluster add --kind=neo4j`. The
 * password is sealed at once (lib/sources/neo4j/secret.ts) and never returned, echoed or audited. What the
 * browser could turn against the server is confined: the neo4j-admin must be one of TXLINE_NEO4J_ADMINS (the
 * server runs it: a browser never names an arbitrary executable), and the location must be inside
 * TXLINE_BACKUP_ROOTS (checked again once created, as a backup folder is).
 */
const NEO4J_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const neo4jClusterInput = z.object({
  name: z.string().trim().regex(NEO4J_NAME, { error: '1 to 64 letters, digits, dots, dashes and underscores, starting with a letter or digit' }),
  uri: z
    .string()
    .trim()
    .min(1, { error: 'is required' })
    .refine(
      (v) => {
        try {
          checkBoltUri(v);
          return true;
        } catch {
          return false;
        }
      },
      { error: 'a Bolt URI: neo4j://host:7687 (routing) or bolt://host:7687' },
    ),
  user: z.string().trim().regex(/^[\x21-\x7e]{1,256}$/, { error: '1 to 256 printable characters without spaces' }),
  password: z
    .string({ error: 'is required' })
    .min(1, { error: 'is required' })
    .max(1024)
    .refine((v) => !/[\r\n\0]/.test(v), { error: 'one line' }),
  neo4jAdmin: z.string().trim().min(1, { error: 'choose the neo4j-admin to use' }),
  backupFrom: z
    .string()
    .optional()
    .transform((v, c) => {
      const list = (v ?? '').split(/[\s,]+/).filter(Boolean);
      const bad = list.filter((a) => !HOST_PORT.test(a) || Number(HOST_PORT.exec(a)?.[1]) > 65535);
      if (bad.length) {
        c.addIssue({ code: 'custom', message: `not host:port: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return list.length ? [...new Set(list)] : null;
    }),
  location: z.string({ error: 'is required' }),
});

export async function addNeo4jClusterCommand(ctx: CommandContext, raw: unknown): Promise<Result<{ clusterId: number; audit: { target: string; detail: string } }>> {
  const p = neo4jClusterInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  if (listClusters(ctx.db).some((c) => c.name.toLowerCase() === i.name.toLowerCase())) return fail('ALREADY_EXISTS', `A cluster named ${i.name} exists.`, { name: ['already taken'] });
  const allowed = ctx.env.neo4jAdmins ?? [];
  const admin = path.resolve(i.neo4jAdmin);
  if (!allowed.includes(admin)) {
    const why = allowed.length ? `one of ${allowed.join(', ')}` : 'none is allowed: the server lists the neo4j-admin executables the browser may choose in TXLINE_NEO4J_ADMINS';
    return fail('INVALID_ARGUMENT', `That neo4j-admin cannot be registered from the browser (${why}).`, { neo4jAdmin: ['not in TXLINE_NEO4J_ADMINS'] });
  }
  try {
    if (!fs.statSync(admin).isFile()) throw new Error('not a file');
    fs.accessSync(admin, fs.constants.X_OK);
  } catch (e) {
    return fail('SPAWN_FAILED', `${admin} cannot be run: ${describeError(e)}`, { neo4jAdmin: ['cannot be run'] });
  }
  const confined = confineToRoots(i.location, ctx.env.backupRoots);
  if (!confined.ok) return fail('PATH_OUTSIDE_ROOTS', `Cannot use that location: ${confined.error}.`, { location: [confined.error] });
  try {
    fs.mkdirSync(confined.path, { recursive: true });
    fs.accessSync(confined.path, fs.constants.W_OK);
  } catch (e) {
    return fail('IO_ERROR', `Cannot use ${confined.path}: ${describeError(e)}`, { location: ['cannot be created or written'] });
  }
  const again = confineToRoots(confined.path, ctx.env.backupRoots);
  if (!again.ok) return fail('PATH_OUTSIDE_ROOTS', `Cannot use that location: ${again.error}.`, { location: [again.error] });
  if (listFolders(ctx.db).some((f) => f.path === again.path && f.isDefault)) return fail('INVALID_ARGUMENT', 'The default backup folder holds Txline artifacts: give the Neo4j cluster a folder of its own.', { location: ['is the default folder'] });
  let row: ReturnType<typeof addNeo4jCluster>;
  try {
    const passwordSealed = sealPassword(ctx.env.catalog, { uri: i.uri, user: i.user, password: i.password });
    row = addNeo4jCluster(ctx.db, { name: i.name, address: checkBoltUri(i.uri).address, uri: i.uri, user: i.user, passwordSealed, neo4jAdmin: admin, backupFrom: i.backupFrom, location: again.path });
  } catch (e) {
    return fail(codeOf(e, 'INTERNAL'), `Could not register ${i.name}: ${describeError(e)}`);
  }
  const folder = listFolders(ctx.db).find((f) => f.path === again.path);
  if (folder) void ctx.reindex(folder.id); // its artifacts appear once neo4j-admin has listed them
  return {
    ok: true,
    clusterId: row.id,
    audit: { target: `cluster=${row.name}`, detail: `neo4j ${i.uri} as ${i.user}; neo4j-admin ${admin}; backups in ${again.path}${i.backupFrom ? `; from ${i.backupFrom.join(',')}` : ''} (password stored sealed)` },
  };
}

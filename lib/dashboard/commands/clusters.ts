/**
 * Clusters: a member's controls (through the cluster's kind, lib/sources: only those its capabilities name),
 * and register, re-token or remove a cluster this server did not start. A cluster's token goes to the catalog and that cluster's members only: no
 * result, error or audit note carries it.
 */
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import { codeOf, describeError } from '../../errors';
import { catalogConnection, CONTROL_NEEDS, kindOf } from '../../sources';
import { addRemoteCluster, getCluster, listClusters, removeCluster, setClusterTokenOf } from '../../db/queries/clusters';
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

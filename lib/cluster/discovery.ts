/**
 * Where the cluster is, when a command is not told: TXLINE_CLUSTER_ADDRESSES (host:port,...), else the
 * embedded cluster's cluster.json (TXLINE_CLUSTER_FILE, or <TXLINE_DATA_DIR|data>/cluster/cluster.json),
 * else the default backup address of member 1, 127.0.0.1:6362.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ClusterFile } from './supervisor';

export function clusterFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TXLINE_CLUSTER_FILE ?? path.join(env.TXLINE_DATA_DIR ?? 'data', 'cluster', 'cluster.json');
}

export function readClusterFile(file: string): ClusterFile | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterFile;
  } catch {
    return null;
  }
}

export function defaultClusterAddresses(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.TXLINE_CLUSTER_ADDRESSES?.split(',').map((s) => s.trim()).filter(Boolean);
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  const file = readClusterFile(clusterFilePath(env));
  if (file && file.members.length > 0) return file.members.map((m) => m.address);
  return ['127.0.0.1:6362'];
}

/**
 * Where the cluster is, when a command is not told: TXLINE_CLUSTER_ADDRESSES, else the members the embedded
 * cluster's cluster.json lists (TXLINE_CLUSTER_FILE; see lib/env.ts), else 127.0.0.1:6362 (member 1's
 * default address). Its token is found the same way (token.ts): TXLINE_CLUSTER_TOKEN, else the token file
 * beside that cluster.json.
 */
import fs from 'node:fs';
import { env, type TxlineEnv } from '../env';
import type { ClusterFile } from './supervisor';

export function readClusterFile(file: string): ClusterFile | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterFile;
  } catch {
    return null;
  }
}

export function defaultClusterAddresses(e: TxlineEnv = env()): string[] {
  if (e.clusterAddresses && e.clusterAddresses.length > 0) return e.clusterAddresses;
  const file = readClusterFile(e.clusterFile);
  if (file && Array.isArray(file.members) && file.members.length > 0) return file.members.map((m) => m.address);
  return ['127.0.0.1:6362'];
}

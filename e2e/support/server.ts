/**
 * The `txline serve` the e2e tests run against: playwright.config.ts makes its data folder and hands it on in
 * TXLINE_E2E_DATA_DIR (its embedded cluster is in <folder>/cluster).
 */
import fs from 'node:fs';
import path from 'node:path';

export function e2eDataDir(): string {
  const dir = process.env.TXLINE_E2E_DATA_DIR;
  if (!dir) throw new Error('TXLINE_E2E_DATA_DIR is not set (playwright.config.ts sets it)');
  return dir;
}

/** The headers of a call to a member: the cluster token `txline serve` wrote beside its cluster.json. */
export function memberHeaders(): Record<string, string> {
  return { authorization: `Bearer ${fs.readFileSync(path.join(e2eDataDir(), 'cluster', 'token'), 'utf8').trim()}` };
}

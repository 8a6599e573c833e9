/**
 * End-to-end tests in Debian's Chromium against the real app: `txline serve` with the embedded cluster
 * (free ports, a fresh data folder in the system's temporary folder) and its workload. The app must be
 * built first (`npx next build`; `npm test` does it). Screenshots of every test are kept in test-results/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { ADMIN_STATE, INITIAL_ADMIN_PASSWORD } from './e2e/support/users';

const PORT = Number(process.env.TXLINE_E2E_PORT ?? 3210);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// The config is loaded again in each worker: make the data folder once (in the runner) and hand it on
// through the environment. The runner also clears data folders that earlier runs left (the cluster is still
// writing into this run's folder when the tests end, so each run leaves its own behind).
if (!process.env.TXLINE_E2E_DATA_DIR) {
  removeStaleDataDirs(os.tmpdir(), 60 * 60_000);
  process.env.TXLINE_E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-e2e-'));
}
const dataDir = process.env.TXLINE_E2E_DATA_DIR;

function removeStaleDataDirs(tmp: string, olderThanMs: number): void {
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith('txline-e2e-')) continue;
    const dir = path.join(tmp, name);
    if (Date.now() - fs.statSync(dir).mtimeMs > olderThanMs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  reporter: 'list',
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: BASE_URL,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.TXLINE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update'],
    },
  },
  projects: [
    // Signs the first admin in (and changes the initial password) once; every other test starts signed in.
    { name: 'setup', testMatch: /auth\.setup\.ts/, use: { browserName: 'chromium' } },
    { name: 'chromium', dependencies: ['setup'], testIgnore: /auth\.setup\.ts/, use: { browserName: 'chromium', storageState: ADMIN_STATE } },
  ],
  webServer: {
    command: `node bin/txline.mjs serve --no-build --port ${PORT} --data-dir "${dataDir}" --base-port 0`,
    url: `${BASE_URL}/api/cluster`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    env: {
      NEXT_TELEMETRY_DISABLED: '1',
      // Always the embedded cluster that serve starts, whatever the shell says.
      TXLINE_CLUSTER_ADDRESSES: '',
      TXLINE_CLUSTER_FILE: '',
      TXLINE_BACKUP_DIR: '',
      TXLINE_CATALOG: '',
      TXLINE_BACKUP_ROOTS: '',
      TXLINE_ADMIN_PASSWORD: INITIAL_ADMIN_PASSWORD,
      // the stand-in neo4j-admin, which e2e/neo4j.spec.ts registers the embedded cluster with (as kind neo4j)
      TXLINE_NEO4J_ADMINS: path.resolve('tests/fixtures/neo4j-admin/neo4j-admin.mjs'),
    },
  },
});

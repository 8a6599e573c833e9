/**
 * End-to-end tests in Debian's Chromium against the real app: `txline serve` with the embedded cluster
 * (free ports, a fresh data folder in the system's temporary folder) and its workload. The app must be
 * built first (`npx next build`; `npm test` does it). Screenshots of every test are kept in test-results/.
 */
import { spawn } from 'node:child_process';
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

// An S3-compatible server for e2e/storage-s3.spec.ts: s3rver on loopback (port TXLINE_E2E_S3_PORT, default the
// app's port + 7) with the bucket `e2e-backups`, started once by the runner (workers load this config again and
// inherit the flag) and gone when the runner is (it exits when its IPC channel closes). The app reaches it
// through the standard AWS environment below.
const S3_PORT = Number(process.env.TXLINE_E2E_S3_PORT ?? PORT + 7);
if (!process.env.TXLINE_E2E_S3_STARTED) {
  process.env.TXLINE_E2E_S3_STARTED = '1';
  startS3rver(path.join(dataDir, 's3rver'), S3_PORT);
}

function startS3rver(dir: string, port: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const script = `
const S3rver = require('s3rver');
new S3rver({ address: '127.0.0.1', port: Number(process.argv[2]), silent: true, directory: process.argv[1], configureBuckets: [{ name: 'e2e-backups' }] })
  .run().catch((e) => { console.error('s3rver for the e2e tests did not start:', e); process.exit(1); });
process.on('disconnect', () => process.exit(0));`;
  // --openssl-legacy-provider: s3rver's listing tokens use DES (tests/helpers/s3.ts)
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script, dir, String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.unref();
  child.channel?.unref();
}

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
      // the e2e s3rver (above), as the standard AWS environment; never a profile from the shell
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${S3_PORT}`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_PROFILE: '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});

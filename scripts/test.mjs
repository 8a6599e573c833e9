#!/usr/bin/env node
/**
 * `npm test`: every test, end to end included, in steps whose output streams as it comes:
 *   1. Chromium for Playwright ($TXLINE_CHROMIUM or /usr/bin/chromium; installs Debian's `chromium` with apt
 *      when missing and running as root, else says what to install);
 *   2. the CLI bundle (scripts/build-cli.mjs), the route types (`next typegen`), then `tsc --noEmit` and ESLint
 *      (`npm run lint`) side by side;
 *   3. `next build`, which does not check types again (next.config.mjs) (the e2e tests run the built app, and so
 *      does the database page's size test in vitest);
 *   4. `vitest run` (unit and integration tests);
 *   5. `playwright test` (Debian Chromium against `txline serve`).
 * A failing step does not stop the independent ones after it (Playwright needs the build and Chromium: without
 * them it is reported skipped, and a skipped step fails the run).
 * Ends with one line per step (and, under a failed runner, one line per failed test with the first line of its
 * error, read from the runner's JSON report), and exits non-zero if any step failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

/** @type {Array<{ name: string, status: 'passed' | 'failed' | 'skipped', detail: string, failures?: string[] }>} */
const results = [];
// The runners' JSON reports, beside their other output (test-results/ is ignored by git).
const reports = path.join(root, 'test-results');
const vitestReport = path.join(reports, 'vitest.json');
const playwrightReport = path.join(reports, 'playwright.json');

function record(name, status, detail, failures) {
  results.push({ name, status, detail, failures });
  const mark = status === 'passed' ? '✓' : status === 'failed' ? '✗' : '-';
  process.stdout.write(`\n${mark} ${name}: ${detail}\n\n`);
}

function run(name, command, args, { extraEnv = {}, report } = {}) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const started = Date.now();
  if (report) fs.rmSync(report.file, { force: true });
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: 'inherit' });
    child.on('error', (e) => {
      record(name, 'failed', `could not start ${command}: ${e.message}`);
      resolve(false);
    });
    child.on('exit', (code, signal) => {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (code === 0) record(name, 'passed', `passed in ${secs} s`);
      else record(name, 'failed', `failed (${signal ?? `exit code ${code}`}) after ${secs} s`, report ? failedTests(report) : undefined);
      resolve(code === 0);
    });
  });
}

/** The failed tests a runner's JSON report names, as "file › test: first line of the error". */
function failedTests({ file, read }) {
  let json;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return [`(no report to name the failed tests: ${e.message})`];
  }
  const firstLine = (text) => String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 300) ?? '';
  return read(json, firstLine);
}

/** Vitest's JSON report (Jest's shape): per file, its assertions; a file that failed outside a test has a message. */
function vitestFailures(json, firstLine) {
  const out = [];
  for (const file of json.testResults ?? []) {
    const rel = path.relative(root, file.name ?? '');
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failed) out.push(`${rel} › ${a.fullName ?? a.title}: ${firstLine(a.failureMessages?.[0])}`);
    if (failed.length === 0 && file.status === 'failed') out.push(`${rel}: ${firstLine(file.message)}`);
  }
  return out;
}

/** Playwright's JSON report: nested suites of specs, each test with its results (the last one counts). */
function playwrightFailures(json, firstLine) {
  const out = [];
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      const where = `${path.relative(root, path.join(json.config?.rootDir ?? root, spec.file))}:${spec.line} › ${spec.title}`;
      for (const t of spec.tests ?? []) {
        if (t.status !== 'unexpected' && t.status !== 'flaky') continue;
        const last = t.results?.at(-1);
        const error = firstLine(last?.error?.message ?? last?.errors?.[0]?.message);
        out.push(`${where}: ${t.status === 'flaky' ? `flaky, passed on a retry: ${error}` : error}`);
      }
    }
    for (const s of suite.suites ?? []) walk(s);
  };
  for (const s of json.suites ?? []) walk(s);
  for (const e of json.errors ?? []) out.push(`(outside a test) ${firstLine(e.message)}`);
  return out;
}

function ensureChromium() {
  const name = 'chromium';
  const explicit = process.env.TXLINE_CHROMIUM;
  const chromium = explicit || '/usr/bin/chromium';
  if (fs.existsSync(chromium)) {
    record(name, 'passed', `found ${chromium}`);
    return true;
  }
  if (explicit) {
    record(name, 'failed', `TXLINE_CHROMIUM is ${explicit}, which does not exist: point it at a Chromium binary, or unset it to use Debian's /usr/bin/chromium`);
    return false;
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    record(name, 'failed', "Chromium is missing (/usr/bin/chromium): install Debian's package with `sudo apt-get install -y chromium`, or set TXLINE_CHROMIUM to a Chromium binary");
    return false;
  }
  process.stdout.write('\n=== chromium: installing Debian\'s chromium with apt ===\n');
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: aptEnv });
    if (r.status !== 0) {
      record(name, 'failed', `apt-get ${args.join(' ')} failed (${r.error?.message ?? `exit code ${r.status}`})`);
      return false;
    }
  }
  if (!fs.existsSync(chromium)) {
    record(name, 'failed', `apt-get installed chromium, but ${chromium} is still missing`);
    return false;
  }
  record(name, 'passed', `installed ${chromium}`);
  return true;
}

// Without Chromium everything else still runs; the browser tests are then reported as skipped, which fails
// the run (a run without them must never pass as green).
const chromium = ensureChromium();
// The CLI bundle the tests' child processes run (bin/txline.mjs falls back to the sources when it is stale).
await run('cli bundle', process.execPath, [path.join(root, 'scripts', 'build-cli.mjs')]);
// The route types Next generates (.next/types) are checked by tsc with everything else: the one type check.
await run('route types', bin('next'), ['typegen']);
// Independent: side by side (each also uses more than one core, so this saves seconds, not half). package.json's
// `lint` script: silent when clean; the cache (node_modules/.cache/eslint) relints changed files only.
await Promise.all([
  run('typecheck', bin('tsc'), ['--noEmit', '-p', '.']),
  run('lint', bin('eslint'), ['.', '--max-warnings=0', '--cache', '--cache-strategy', 'content', '--cache-location', 'node_modules/.cache/eslint/']),
]);
const built = await run('next build', bin('next'), ['build']);
await run('vitest run', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`], {
  report: { file: vitestReport, read: vitestFailures },
});
if (!chromium) record('playwright test', 'skipped', 'SKIPPED: no Chromium (see the chromium step), so no browser test ran; this run cannot pass');
else if (!built) record('playwright test', 'skipped', 'skipped: next build failed');
else
  await run('playwright test', bin('playwright'), ['test', '--reporter=list,json'], {
    extraEnv: { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightReport },
    report: { file: playwrightReport, read: playwrightFailures },
  });

process.stdout.write('\n=== summary ===\n');
for (const r of results) {
  process.stdout.write(`${r.status.toUpperCase().padEnd(7)} ${r.name}: ${r.detail}\n`);
  for (const f of r.failures ?? []) process.stdout.write(`          ✗ ${f}\n`);
}
const failed = results.some((r) => r.status !== 'passed');
process.stdout.write(failed ? 'npm test: FAILED\n' : 'npm test: all steps passed\n');
process.exitCode = failed ? 1 : 0;

#!/usr/bin/env node
/**
 * The capture kit (issue 12): what a DBA runs against a real Neo4j cluster so that Txline's parsers are tested on
 * real transcripts. It records, into one folder, the files tests/fixtures/neo4j/ holds (same encoding, read by
 * tests/fixtures/neo4j/load.ts), and a capture.md that says what ran, where and when:
 *
 *   components-<v>.json                  CALL dbms.components()
 *   show-servers-<v>-yield-star.json     SHOW SERVERS YIELD *  (or show-servers-<v>-refused.txt: the refusal)
 *   show-databases-<v>-yield-star.json   SHOW DATABASES YIELD *
 *   backup-log-<v>-verbose.txt           neo4j-admin database backup --verbose (stdout and stderr, exit code)
 *   inspect-<v>-tabular.txt              neo4j-admin backup inspect <to-path> --format=TABULAR --empty
 *   inspect-<v>-json.txt                 the same with --format=JSON
 *
 * Usage (Node 20+, run from a Txline checkout so that neo4j-driver resolves):
 *   node scripts/neo4j-capture.mjs --uri=neo4j://db1:7687 --user=neo4j --password-file=/etc/txline/prod.pw \
 *     --neo4j-admin=/opt/neo4j/bin/neo4j-admin --to-path=/backups/capture [--backup-from=db1:6362,...] \
 *     [--database=neo4j] [--out=neo4j-capture] [--redact-hosts] [--skip-backup]
 *
 * Secrets are stripped before anything is written: the password (read from a file, never an argument) is
 * replaced wherever it appears, as is the user-info of any URI (scheme://user:secret@) and any `password=`,
 * `secret=`, `token=`, `credentials=` value; with --redact-hosts, the host names of --uri and --backup-from
 * become host1, host2, ... Nothing is sent anywhere: read the files before sharing them. The backup is a real
 * one (`--type=AUTO` into --to-path, a folder of its own: the kit does not delete what it writes).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import neo4j from 'neo4j-driver';

const USAGE = 'usage: node scripts/neo4j-capture.mjs --uri=neo4j://host:7687 --user=<u> --password-file=<file> --neo4j-admin=<path> --to-path=<dir> [--backup-from=host:port,...] [--database=neo4j] [--out=<dir>] [--redact-hosts] [--skip-backup]';

function fail(message, code = 2) {
  process.stderr.write(`neo4j-capture: ${message}\n`);
  process.exit(code);
}

/** --name=value options only (a value never becomes an option of its own); flags are bare. */
export function parseArgs(argv) {
  const flags = new Set(['redact-hosts', 'skip-backup', 'help']);
  const o = {};
  for (const a of argv) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(a);
    if (!m) fail(`unexpected argument ${JSON.stringify(a)}\n${USAGE}`);
    const [, name, value] = m;
    if (flags.has(name)) {
      if (value !== undefined) fail(`--${name} takes no value`);
      o[name] = true;
    } else if (['uri', 'user', 'password-file', 'neo4j-admin', 'to-path', 'backup-from', 'database', 'out', 'timeout-ms'].includes(name)) {
      if (value === undefined || value === '') fail(`--${name} needs a value (--${name}=...)`);
      o[name] = value;
    } else fail(`unknown option --${name}\n${USAGE}`);
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  for (const k of ['uri', 'user', 'password-file', 'neo4j-admin', 'to-path']) if (!o[k]) fail(`--${k} is required\n${USAGE}`);
  if (!/^(neo4j|bolt)(\+s|\+ssc)?:\/\/[^/\s]+$/.test(o.uri)) fail(`--uri must be neo4j://host:port or bolt://host:port, got ${JSON.stringify(o.uri)}`);
  if (o.database && !/^[A-Za-z][A-Za-z0-9.-]{0,62}$/.test(o.database)) fail(`--database ${JSON.stringify(o.database)} is not a database name`);
  return o;
}

/** A redactor for everything written: the password, URI user-info, key=value secrets, and (optionally) hosts. */
export function redactor({ password, hosts = [] }) {
  const names = new Map(hosts.map((h, i) => [h, `host${i + 1}`]));
  return (text) => {
    let t = String(text);
    if (password) t = t.split(password).join('<redacted>');
    t = t.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]+:[^/@\s]*@/gi, '$1<redacted>@');
    t = t.replace(/\b(password|passwd|secret|token|credentials|access[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;|]+)/gi, '$1$2<redacted>');
    for (const [h, n] of names) t = t.split(h).join(n);
    return t;
  };
}

/** neo4j-driver values as the golden files write them: {"$int": "…"} and {"$datetime": "…"}. */
export function encodeValue(v) {
  if (v === null || v === undefined) return null;
  if (neo4j.isInt(v)) return { $int: v.toString() };
  if (neo4j.isDateTime(v)) return { $datetime: new Date(v.toString()).toISOString() };
  if (neo4j.isDate(v) || neo4j.isLocalDateTime(v) || neo4j.isLocalTime(v) || neo4j.isTime(v) || neo4j.isDuration(v)) return String(v);
  if (Array.isArray(v)) return v.map(encodeValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x)]));
  return v;
}

function readPassword(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read --password-file ${file}: ${e.message}`);
  }
  const first = text.split(/\r?\n/)[0];
  if (!first) fail(`--password-file ${file} has an empty first line`);
  return first;
}

function atLeast(version, since) {
  const [a, b] = version.split('.').map(Number);
  const [c, d] = since.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const password = readPassword(o['password-file']);
  const backupFrom = o['backup-from'] ? o['backup-from'].split(',').map((s) => s.trim()) : [];
  const hostOf = (a) => a.replace(/^[a-z+]+:\/\//, '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const redact = redactor({ password, hosts: o['redact-hosts'] ? [...new Set([hostOf(o.uri), ...backupFrom.map(hostOf)])] : [] });
  const out = path.resolve(o.out ?? 'neo4j-capture');
  fs.mkdirSync(out, { recursive: true });
  const timeoutMs = Number(o['timeout-ms'] ?? 30_000);
  const written = [];
  const write = (name, text) => {
    const file = path.join(out, name);
    fs.writeFileSync(file, redact(text), { mode: 0o600 });
    written.push(name);
  };

  const driver = neo4j.driver(o.uri, neo4j.auth.basic(o.user, password), { connectionTimeout: timeoutMs, maxTransactionRetryTime: 0, disableLosslessIntegers: false });
  let version = 'unknown';
  try {
    const run = async (query) => {
      const r = await driver.executeQuery(query, {}, { database: 'system', routing: neo4j.routing.READ, transactionConfig: { timeout: timeoutMs } });
      return r.records.map((rec) => encodeValue(rec.toObject()));
    };
    const components = await run('CALL dbms.components()');
    const kernel = components.find((r) => r.name === 'Neo4j Kernel');
    version = Array.isArray(kernel?.versions) && typeof kernel.versions[0] === 'string' ? kernel.versions[0] : 'unknown';
    if (!/^[0-9][0-9A-Za-z.+-]{0,40}$/.test(version)) version = 'unknown';
    write(`components-${version}.json`, `${JSON.stringify(components, null, 2)}\n`);
    try {
      write(`show-servers-${version}-yield-star.json`, `${JSON.stringify(await run('SHOW SERVERS YIELD *'), null, 2)}\n`);
    } catch (e) {
      // a user without the privilege, or Community: the refusal is itself worth keeping
      write(`show-servers-${version}-refused.txt`, `${e.code ?? 'no code'}: ${e.message}\n`);
    }
    write(`show-databases-${version}-yield-star.json`, `${JSON.stringify(await run('SHOW DATABASES YIELD *'), null, 2)}\n`);
  } catch (e) {
    fail(`Bolt: ${redact(e.code ? `${e.code}: ${e.message}` : e.message)}`, 1);
  } finally {
    await driver.close();
  }

  const admin = (args) => {
    const r = spawnSync(o['neo4j-admin'], args, { encoding: 'utf8', timeout: 6 * 3600_000, maxBuffer: 256 * 1024 * 1024, shell: false });
    if (r.error) fail(`cannot run ${o['neo4j-admin']}: ${r.error.message}`, 1);
    return { args, code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  };
  const transcript = (r) =>
    `$ neo4j-admin ${r.args.join(' ')}\n# exit ${r.code ?? r.signal}\n# --- stdout\n${r.stdout}${r.stdout.endsWith('\n') || !r.stdout ? '' : '\n'}# --- stderr\n${r.stderr}`;
  const ran = [];
  fs.mkdirSync(o['to-path'], { recursive: true });
  if (!o['skip-backup']) {
    const args = ['database', 'backup', '--verbose', `--to-path=${o['to-path']}`, '--type=AUTO', ...(backupFrom.length ? [`--from=${backupFrom.join(',')}`] : []), o.database ?? 'neo4j'];
    const r = admin(args);
    write(`backup-log-${version}-verbose.txt`, transcript(r));
    ran.push(r);
  }
  const old = version !== 'unknown' && !atLeast(version, '2025.7');
  for (const format of ['TABULAR', 'JSON']) {
    const r = admin(['backup', 'inspect', o['to-path'], `--format=${format}`, '--empty', ...(old ? ['--show-metadata'] : [])]);
    write(`inspect-${version}-${format.toLowerCase()}.txt`, r.code === 0 ? r.stdout : transcript(r));
    ran.push(r);
  }
  const lines = [
    `# Capture of a Neo4j cluster (${new Date().toISOString()})`,
    '',
    `- Neo4j version (dbms.components): ${version}`,
    `- captured with scripts/neo4j-capture.mjs over ${o.uri} as ${o.user}${o['redact-hosts'] ? ' (hosts redacted)' : ''}`,
    `- neo4j-admin: ${o['neo4j-admin']}`,
    ...ran.map((r) => `- ran \`neo4j-admin ${r.args.join(' ')}\`: exit ${r.code ?? r.signal}`),
    '',
    'Files:',
    ...written.map((f) => `- ${f}`),
    '',
    'Add them to tests/fixtures/neo4j/ and a row per file to PROVENANCE.md (source: this capture, its version and date).',
    '',
  ];
  write('capture.md', lines.join('\n'));
  process.stdout.write(`${redact(`captured Neo4j ${version} into ${out}: ${written.join(', ')}`)}\n`);
}

if (process.argv[1]?.endsWith('neo4j-capture.mjs')) await main();

/**
 * Which Neo4j a cluster runs (`CALL dbms.components()` on `system`), and what its neo4j-admin accepts. Pure.
 *
 * Versions are either 5.x (5.26 is the long-term support release) or calendar versions from 2025.01 on
 * (2025.06, 2026.01, ...): both read as [major, minor, patch] and compare as numbers, so every 5.x comes before
 * every calendar version. The options each version accepts are the operations manual's (see
 * tests/fixtures/neo4j/PROVENANCE.md): an option is passed only to a neo4j-admin that accepts it.
 */
import { TxlineError } from '../../errors';
import { describeValue, type Row } from './values';

export interface Neo4jVersion {
  /** as the server printed it: "5.26.0", "2025.06.2" */
  text: string;
  major: number;
  minor: number;
  patch: number;
  /** "5.x" (5.26 is LTS) or a calendar version (2025.01 and later) */
  line: '5.x' | 'calendar';
}

export interface Neo4jComponents {
  version: Neo4jVersion;
  /** "enterprise", "community" (lower case, as the procedure answers) */
  edition: string | null;
  /** the Cypher versions the server supports (a "Cypher" row, from 2025.05); null when not reported */
  cypherVersions: string[] | null;
}

/** "5.26.0", "2025.06.2", "2026.01" (a suffix such as "-aura" or "-SNAPSHOT" is kept in `text`, ignored here). */
export function parseVersion(text: string): Neo4jVersion {
  const m = /^(\d{1,4})\.(\d{1,3})(?:\.(\d{1,4}))?(?:[-+][0-9A-Za-z.-]*)?$/.exec(text.trim());
  if (!m) throw new TxlineError('NOT_SUPPORTED', `"${text.slice(0, 60)}" is not a Neo4j version Txline can read (expected 5.x.y or YYYY.MM.p)`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  if (major >= 2025) {
    if (minor < 1 || minor > 12) throw new TxlineError('NOT_SUPPORTED', `"${text}" is not a calendar version (month ${minor})`);
    return { text: text.trim(), major, minor, patch, line: 'calendar' };
  }
  if (major !== 5) throw new TxlineError('NOT_SUPPORTED', `Neo4j ${text.trim()} is not supported: Txline works with Neo4j 5.x and 2025.01 and later`);
  return { text: text.trim(), major, minor, patch, line: '5.x' };
}

/** a < b: -1, a = b: 0, a > b: 1 (patch included). */
export function compareVersions(a: Pick<Neo4jVersion, 'major' | 'minor' | 'patch'>, b: Pick<Neo4jVersion, 'major' | 'minor' | 'patch'>): number {
  return Math.sign(a.major - b.major || a.minor - b.minor || a.patch - b.patch);
}

/** Whether `v` is at least "major.minor" (patch 0). */
export function atLeast(v: Neo4jVersion, since: string): boolean {
  const [major, minor] = since.split('.').map(Number);
  return compareVersions(v, { major, minor, patch: 0 }) >= 0;
}

/** The rows of `CALL dbms.components()` (name, versions, edition): the "Neo4j Kernel" row gives version and edition. */
export function parseComponents(rows: readonly Row[]): Neo4jComponents {
  const kernel = rows.find((r) => r.name === 'Neo4j Kernel');
  if (!kernel) {
    const names = rows.map((r) => describeValue(r.name)).join(', ');
    throw new TxlineError('NOT_SUPPORTED', `dbms.components() has no "Neo4j Kernel" row (it lists ${names || 'nothing'}): is this a Neo4j server?`);
  }
  const versions = kernel.versions;
  if (!Array.isArray(versions) || versions.length === 0 || typeof versions[0] !== 'string') {
    throw new TxlineError('NOT_SUPPORTED', `dbms.components() gives the Neo4j Kernel no version (versions: ${describeValue(versions)})`);
  }
  const edition = typeof kernel.edition === 'string' ? kernel.edition.toLowerCase() : null;
  const cypher = rows.find((r) => r.name === 'Cypher');
  const cypherVersions = cypher && Array.isArray(cypher.versions) && cypher.versions.every((x) => typeof x === 'string') ? [...(cypher.versions as string[])] : null;
  return { version: parseVersion(versions[0]), edition, cypherVersions };
}

/** One option of a neo4j-admin command: the first version that accepts it, and the first that no longer does. */
export interface OptionSupport {
  since: string;
  until?: string;
}

/**
 * `neo4j-admin database backup` options (without the leading dashes). The 5.x ones are in the 5.26 manual's
 * syntax; the rest carry the manual's "Introduced in" label.
 */
export const BACKUP_OPTIONS: Readonly<Record<string, OptionSupport>> = {
  'additional-config': { since: '5.0' },
  compress: { since: '5.0' },
  'expand-commands': { since: '5.0' },
  from: { since: '5.0' },
  'include-metadata': { since: '5.0' },
  'inspect-path': { since: '5.0' },
  'keep-failed': { since: '5.0' },
  pagecache: { since: '5.0' },
  'parallel-recovery': { since: '5.0' },
  'to-path': { since: '5.0' },
  type: { since: '5.0' },
  verbose: { since: '5.0' },
  'temp-path': { since: '5.24' },
  'prefer-diff-as-parent': { since: '2025.04' },
  'remote-address-resolution': { since: '2025.09' },
  'parallel-download': { since: '2025.11' },
  'skip-recovery': { since: '2025.11' },
};

/** `neo4j-admin database restore` options. */
export const RESTORE_OPTIONS: Readonly<Record<string, OptionSupport>> = {
  'additional-config': { since: '5.0' },
  'expand-commands': { since: '5.0' },
  'from-path': { since: '5.0' },
  'overwrite-destination': { since: '5.0' },
  'restore-until': { since: '5.0' },
  'to-path-data': { since: '5.0' },
  'to-path-txn': { since: '5.0' },
  verbose: { since: '5.0' },
  'temp-path': { since: '5.24' },
  'source-database': { since: '2025.02' },
};

/** `neo4j-admin backup inspect` (new in 5.25) options; `--show-metadata` is needed before 2025.07 and gone after. */
export const INSPECT_OPTIONS: Readonly<Record<string, OptionSupport>> = {
  'additional-config': { since: '5.25' },
  database: { since: '5.25' },
  empty: { since: '5.25' },
  'expand-commands': { since: '5.25' },
  format: { since: '5.25' },
  'latest-backup': { since: '5.25' },
  'latest-chain': { since: '5.25' },
  verbose: { since: '5.25' },
  'show-metadata': { since: '5.25', until: '2025.07' },
};

function accepted(table: Readonly<Record<string, OptionSupport>>, v: Neo4jVersion): ReadonlySet<string> {
  return new Set(Object.entries(table).filter(([, s]) => atLeast(v, s.since) && (s.until === undefined || !atLeast(v, s.until))).map(([name]) => name));
}

/** The `neo4j-admin database backup` options this version accepts. */
export const backupOptionsFor = (v: Neo4jVersion): ReadonlySet<string> => accepted(BACKUP_OPTIONS, v);
/** The `neo4j-admin database restore` options this version accepts. */
export const restoreOptionsFor = (v: Neo4jVersion): ReadonlySet<string> => accepted(RESTORE_OPTIONS, v);
/** The `neo4j-admin backup inspect` options this version accepts (none before 5.25: the command is not there). */
export const inspectOptionsFor = (v: Neo4jVersion): ReadonlySet<string> => accepted(INSPECT_OPTIONS, v);

/** Why `option` is not accepted by `v`, for messages ("introduced in 2025.04", "removed in 2025.07"). */
export function whyNotAccepted(table: Readonly<Record<string, OptionSupport>>, option: string, v: Neo4jVersion): string {
  const s = table[option];
  if (!s) return `neo4j-admin has no --${option}`;
  if (!atLeast(v, s.since)) return `--${option} was introduced in Neo4j ${s.since}; this is ${v.text}`;
  return `--${option} is gone from Neo4j ${s.until} on; this is ${v.text}`;
}

/** Cypher features of a version that the seeding of a restored database needs. */
export function seedFeaturesFor(v: Neo4jVersion): { seedRestoreUntil: boolean; seedFromBackupChain: boolean } {
  return { seedRestoreUntil: atLeast(v, '2025.01'), seedFromBackupChain: atLeast(v, '5.26') };
}

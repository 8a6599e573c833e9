/**
 * The graph store of one database: a property graph in one SQLite file.
 *
 * Invariants:
 * - The `meta` table records the last applied transaction (ID, checksum, commit time) in the same SQLite
 *   transaction as the changes it made, so the store always says exactly which transaction it is at.
 * - Node and relationship IDs come from counters kept in `meta` and are never reused; resolved operations
 *   carry explicit IDs, so replaying the same records on any copy gives the same store.
 * - Labels are stored sorted and properties as canonical JSON, so the digest depends on content only.
 * - The `meta` key `contentSum` is the content sum of the rows (./content-sum.ts): every row a transaction
 *   inserts, updates or deletes adds or subtracts its line, and the sum is written with the transaction's other
 *   meta keys; a savepoint rolled back takes its lines back. The lines of the rows this class inserts are added
 *   as it binds their values (every insert into nodes and rels is in this file); those an update or a delete
 *   replaces, and the new ones of an update, by this connection's temporary triggers, which see the old row. A
 *   store written before sums were kept gets its sum computed once, at its first write (ensureContentSum).
 * - The file is in WAL mode with automatic checkpoints off: the owner checkpoints, and can hold the main file
 *   still while a snapshot of it is streamed out.
 * - Writes happen between begin() and commit()/rollback(). Inside one, the nodes this connection created,
 *   read or changed are remembered (`touched`), so a batch does not read back what it just wrote; any
 *   rollback, and every commit, forgets them.
 * - A batch of logged operations (replication, recovery, restore: begin({ deferNodeRows: true })) writes
 *   each node's row at commit, once however many of its operations changed it, and a node it creates gets its
 *   label index rows then too; the relationships it creates are written many to a statement, before an
 *   operation reads, changes or deletes relationships, and at commit; other label index rows are written as
 *   they come. writePending() writes what is held back before commit (a member's replication, before it logs
 *   the batch): a node changed after that is written again at commit. Nothing but this connection's cache
 *   reads node rows, or those label index rows, before they are written.
 * - A client's transaction (applyClientOps) also returns the before-images of what it deleted or changed,
 *   taken when an operation first touches an entity the transaction did not create (record.ts); logged
 *   operations are applied without them, so a replay reads nothing it does not need.
 */
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { TxlineError } from '../errors';
import { canonicalJson } from './canonical-json';
import type { ClientOp, Properties, ResolvedOp } from './ops';
import type { BeforeImages, NodeImage, PropertyBefore, RelationshipImage } from './record';
import { ContentSum, NODE_LINE, REL_LINE, computeContentSum, lineSha256, nodeLine, relLine } from './content-sum';

export interface StoreMeta {
  databaseName: string;
  databaseId: string;
  storeId: string;
  lastTxId: number;
  lastTxChecksum: number;
  lastCommitTime: number;
  nextNodeId: number;
  nextRelId: number;
  nodeCount: number;
  relCount: number;
}

/**
 * What a store holds at a transaction: its counts and its content sum (./content-sum.ts, 64 hex digits); with
 * `orderedHash` (asked for by drills of format-2 artifacts) also the ordered SHA-256 those recorded (digestStore).
 */
export interface Digest {
  lastCommittedTxn: number;
  nodes: number;
  relationships: number;
  contentHash: string;
  orderedHash?: string;
}

export interface NodeRow {
  id: number;
  labels: string[];
  properties: Properties;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nodes (id INTEGER PRIMARY KEY, labels TEXT NOT NULL, props TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS node_labels (label TEXT NOT NULL, node_id INTEGER NOT NULL, PRIMARY KEY (label, node_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (id INTEGER PRIMARY KEY, type TEXT NOT NULL, start_id INTEGER NOT NULL, end_id INTEGER NOT NULL, props TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rels_start ON rels (start_id);
CREATE INDEX IF NOT EXISTS rels_end ON rels (end_id);
`;

/** the meta key of the content sum (not in StoreMeta: a store written before sums were kept has none) */
export const CONTENT_SUM_KEY = 'contentSum';

const META_KEYS: Array<keyof StoreMeta> = [
  'databaseName',
  'databaseId',
  'storeId',
  'lastTxId',
  'lastTxChecksum',
  'lastCommitTime',
  'nextNodeId',
  'nextRelId',
  'nodeCount',
  'relCount',
];

type Stmt = Database.Statement;

/** A node as the open transaction left it; null: known not to exist. */
type TouchedNode = { labels: string[]; props: Properties } | null;

/** rows per multi-row INSERT of deferred node rows, their label index rows, and new relationship rows */
const INSERT_ROWS = 100;

export class GraphStore {
  readonly db: Database.Database;
  meta: StoreMeta;
  private s!: {
    insNode: Stmt;
    getNode: Stmt;
    updNodeProps: Stmt;
    updNodeLabels: Stmt;
    delNode: Stmt;
    insLabel: Stmt;
    delLabel: Stmt;
    insRel: Stmt;
    getRel: Stmt;
    updRelProps: Stmt;
    delRel: Stmt;
    relsOf: Stmt;
    relRow: Stmt;
    relRowsOf: Stmt;
    nodeExists: Stmt;
    setMeta: Stmt;
    updNode: Stmt;
    begin: Stmt;
    commit: Stmt;
    rollback: Stmt;
    savepoint: Stmt;
    release: Stmt;
    rollbackTo: Stmt;
  };
  private touched = new Map<number, TouchedNode>();
  /** with deferNodeRows: node rows to write at commit (or writePending), inserted or updated */
  private deferred: Map<number, 'insert' | 'update'> | null = null;
  /**
   * In a deferred batch, the relationships it created, written INSERT_ROWS to a statement (one statement per
   * relationship: a replay of 100,000 transactions took 1.43 s instead of 1.34 s); written before anything reads
   * or changes the table, and at commit (or writePending).
   */
  private newRels: Rows | null = null;
  /** the committed content sum (null: not kept yet in this file) */
  private sum: ContentSum | null;
  /** the open transaction's sum, and the sums at its open savepoints */
  private txSum: ContentSum | null = null;
  private savepointSums: ContentSum[] = [];

  private constructor(db: Database.Database, meta: StoreMeta, sum: string | null) {
    this.db = db;
    this.meta = meta;
    this.sum = sum === null ? null : ContentSum.fromHex(sum);
    this.prepare();
  }

  /** Opens (or creates, when `init` is given) the store file. */
  static open(file: string, init?: { databaseName: string; databaseId?: string; storeId?: string }): GraphStore {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('wal_autocheckpoint = 0');
      db.pragma('cache_size = -65536');
      db.exec(SCHEMA);
      const rows = db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: unknown }>;
      let meta: StoreMeta;
      let sum: string | null = null;
      if (rows.length === 0) {
        if (!init) throw new TxlineError('INCONSISTENT_STORE', `${file} is not an initialised Txline store (no meta).`);
        meta = {
          databaseName: init.databaseName,
          databaseId: init.databaseId ?? randomUUID(),
          storeId: init.storeId ?? randomUUID(),
          lastTxId: 0,
          lastTxChecksum: 0,
          lastCommitTime: 0,
          nextNodeId: 0,
          nextRelId: 0,
          nodeCount: 0,
          relCount: 0,
        };
        const ins = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        sum = ContentSum.zero().toHex();
        db.transaction(() => {
          META_KEYS.forEach((k) => ins.run(k, meta[k]));
          ins.run(CONTENT_SUM_KEY, sum);
        })();
      } else {
        const m = Object.fromEntries(rows.map((r) => [r.key, r.value]));
        for (const k of META_KEYS) {
          if (m[k] === undefined || m[k] === null) throw new TxlineError('INCONSISTENT_STORE', `${file}: meta key "${k}" is missing.`);
        }
        meta = Object.fromEntries(META_KEYS.map((k) => [k, m[k]])) as unknown as StoreMeta;
        if (m[CONTENT_SUM_KEY] !== undefined) {
          try {
            sum = ContentSum.fromHex(String(m[CONTENT_SUM_KEY])).toHex();
          } catch (e) {
            throw new TxlineError('INCONSISTENT_STORE', `${file}: meta key "${CONTENT_SUM_KEY}" is not a content sum.`, { cause: e });
          }
        }
      }
      return new GraphStore(db, meta, sum);
    } catch (e) {
      db.close();
      if (e instanceof TxlineError) throw e;
      throw new TxlineError('INCONSISTENT_STORE', `${file} cannot be opened as a store.`, { cause: e });
    }
  }

  /** A read-only connection to the same file (WAL gives it a consistent view per statement or transaction). */
  static openReader(file: string): Database.Database {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('cache_size = -32768');
    return db;
  }

  private prepare(): void {
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      insNode: p('INSERT INTO nodes (id, labels, props) VALUES (?, ?, ?)'),
      getNode: p('SELECT labels, props FROM nodes WHERE id = ?'),
      updNodeProps: p('UPDATE nodes SET props = ? WHERE id = ?'),
      updNodeLabels: p('UPDATE nodes SET labels = ? WHERE id = ?'),
      delNode: p('DELETE FROM nodes WHERE id = ?'),
      insLabel: p('INSERT OR IGNORE INTO node_labels (label, node_id) VALUES (?, ?)'),
      delLabel: p('DELETE FROM node_labels WHERE label = ? AND node_id = ?'),
      insRel: p('INSERT INTO rels (id, type, start_id, end_id, props) VALUES (?, ?, ?, ?, ?)'),
      getRel: p('SELECT props FROM rels WHERE id = ?'),
      updRelProps: p('UPDATE rels SET props = ? WHERE id = ?'),
      delRel: p('DELETE FROM rels WHERE id = ?'),
      relsOf: p('SELECT id FROM rels WHERE start_id = ? UNION SELECT id FROM rels WHERE end_id = ?').pluck(),
      relRow: p('SELECT id, type, start_id, end_id, props FROM rels WHERE id = ?'),
      relRowsOf: p('SELECT id, type, start_id, end_id, props FROM rels WHERE start_id = ? UNION SELECT id, type, start_id, end_id, props FROM rels WHERE end_id = ?'),
      nodeExists: p('SELECT 1 FROM nodes WHERE id = ?').pluck(),
      setMeta: p('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      updNode: p('UPDATE nodes SET labels = ?, props = ? WHERE id = ?'),
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      rollback: p('ROLLBACK'),
      savepoint: p('SAVEPOINT tx'),
      release: p('RELEASE tx'),
      rollbackTo: p('ROLLBACK TO tx'),
    };
    // The content sum's triggers (of updates and deletes): temporary (this connection's only; the file holds no
    // trigger another connection could fire without the function). With a trigger, every update or delete opens
    // a statement journal: kept in memory (a temporary file per statement had made a replay 4x slower). Set
    // first: changing temp_store drops the temporary schema.
    this.db.pragma('temp_store = MEMORY');
    this.db.function('txline_sum', { varargs: false, deterministic: false }, (sign: number, line: string) => {
      if (!this.txSum) throw new TxlineError('INTERNAL', 'a row of the store was written outside begin() and commit()');
      this.txSum.line(sign === 1 ? 1 : -1, line);
      return null;
    });
    // (No insert trigger: an inserted row's line is added where its values are bound, see added(); a trigger
    // per inserted row had cost a fifth of a replay.)
    const triggers: Array<[string, string, string]> = [
      ['nodes', 'UPDATE', `SELECT txline_sum(-1, ${NODE_LINE('OLD.')}), txline_sum(1, ${NODE_LINE('NEW.')})`],
      ['nodes', 'DELETE', `SELECT txline_sum(-1, ${NODE_LINE('OLD.')})`],
      ['rels', 'UPDATE', `SELECT txline_sum(-1, ${REL_LINE('OLD.')}), txline_sum(1, ${REL_LINE('NEW.')})`],
      ['rels', 'DELETE', `SELECT txline_sum(-1, ${REL_LINE('OLD.')})`],
    ];
    for (const [table, on, body] of triggers) {
      this.db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS txline_sum_${table}_${on.toLowerCase()} AFTER ${on} ON main.${table} BEGIN ${body}; END`);
    }
  }

  /** Adds the line of a row this connection inserts (nodeLine/relLine of the values it binds). */
  private added(line: string): void {
    if (!this.txSum) throw new TxlineError('INTERNAL', 'a row of the store was written outside begin() and commit()');
    this.txSum.line(1, line);
  }

  /** The committed content sum (64 hex digits); computed first if this file does not keep one yet. */
  get contentSum(): string {
    return this.ensureContentSum().toHex();
  }

  /**
   * A store written before sums were kept: computes its sum from scratch and records it (seconds per million
   * rows, once). Not inside an open transaction.
   */
  ensureContentSum(): ContentSum {
    if (this.sum) return this.sum;
    if (this.db.inTransaction) throw new TxlineError('INTERNAL', 'the content sum is computed before a transaction, not inside one');
    const scanned = computeContentSum(this.db, lineSha256);
    this.db.transaction(() => this.s.setMeta.run(CONTENT_SUM_KEY, scanned.contentHash))();
    this.sum = ContentSum.fromHex(scanned.contentHash);
    return this.sum;
  }

  // ---- transactions (prepared once: a batch of thousands runs a savepoint per transaction) ------------

  /** `deferNodeRows`: for batches of logged operations only (no savepoints inside). */
  begin(opts: { deferNodeRows?: boolean } = {}): void {
    const sum = this.ensureContentSum();
    this.touched.clear();
    this.deferred = opts.deferNodeRows ? new Map() : null;
    this.newRels = opts.deferNodeRows ? new Rows(() => (this.insRelsStmt ??= this.manyRows('INSERT INTO rels (id, type, start_id, end_id, props) VALUES', 5)), this.s.insRel, 5) : null;
    this.s.begin.run();
    this.txSum = sum.clone();
    this.savepointSums = [];
  }

  /**
   * Writes the rows a deferred batch holds back so far (its new relationships; its node rows and their label
   * index rows), so that a row that cannot be written fails the batch now: a member's replication calls it before
   * the batch's records are logged. The batch may go on; commit() writes what comes after.
   */
  writePending(): void {
    this.writeNewRels();
    if (this.deferred) {
      this.writeDeferredRows(this.deferred);
      this.deferred.clear();
    }
  }

  commit(): void {
    this.writePending();
    const sum = this.txSum;
    if (!sum) throw new TxlineError('INTERNAL', 'commit() without begin()');
    this.s.setMeta.run(CONTENT_SUM_KEY, sum.toHex());
    this.s.commit.run();
    this.sum = sum;
    this.txSum = null;
    this.touched.clear();
    this.deferred = null;
    this.newRels = null;
  }

  /** Rolls back the open transaction, if any. The caller restores `meta`. */
  rollback(): void {
    if (this.db.inTransaction) this.s.rollback.run();
    this.txSum = null;
    this.touched.clear();
    this.deferred = null;
    this.newRels = null;
  }

  /** Writes the relationships a deferred batch created so far (before the table is read or changed). */
  private writeNewRels(): void {
    this.newRels?.end();
  }

  private writeDeferredRows(rows: Map<number, 'insert' | 'update'>): void {
    // New rows, and the label index rows of new nodes, go in INSERT_ROWS at a time: one statement per row had
    // cost a fifth of a replay.
    const nodes = new Rows(() => (this.insNodesStmt ??= this.manyRows('INSERT INTO nodes (id, labels, props) VALUES', 3)), this.s.insNode, 3);
    const labelRows = new Rows(() => (this.insLabelsStmt ??= this.manyRows('INSERT OR IGNORE INTO node_labels (label, node_id) VALUES', 2)), this.s.insLabel, 2);
    for (const [id, how] of rows) {
      const n = this.touched.get(id);
      if (!n) throw new TxlineError('INTERNAL', `node ${id} has a deferred row but no state`);
      const labels = JSON.stringify(n.labels);
      const props = canonicalJson(n.props);
      if (how === 'update') {
        this.s.updNode.run(labels, props, id);
        continue;
      }
      nodes.add(id, labels, props);
      this.added(nodeLine(id, labels, props));
      for (const l of n.labels) labelRows.add(l, id);
    }
    nodes.end();
    labelRows.end();
  }

  private insNodesStmt: Stmt | null = null;
  private insRelsStmt: Stmt | null = null;
  private insLabelsStmt: Stmt | null = null;
  /** `INSERT ... VALUES` of INSERT_ROWS rows of `width` values each */
  private manyRows(head: string, width: number): Stmt {
    return this.db.prepare(`${head} ${Array(INSERT_ROWS).fill(`(${Array(width).fill('?').join(', ')})`).join(', ')}`);
  }

  /** The row of node `id` is written at commit or by writePending (deferred batches), else now by `write`. */
  private changed(id: number, write: () => void): void {
    if (!this.deferred) return write();
    if (!this.deferred.has(id)) this.deferred.set(id, 'update');
  }

  /** Runs `fn` in a savepoint: its changes stay if it returns, and are undone alone if it throws. */
  inSavepoint<T>(fn: () => T): T {
    if (this.deferred) throw new TxlineError('INTERNAL', 'a batch with deferred node rows has no savepoints');
    this.s.savepoint.run();
    this.savepointSums.push((this.txSum as ContentSum).clone());
    try {
      const r = fn();
      this.s.release.run();
      this.savepointSums.pop();
      return r;
    } catch (e) {
      this.s.rollbackTo.run();
      this.s.release.run();
      this.txSum = this.savepointSums.pop() as ContentSum;
      this.touched.clear();
      throw e;
    }
  }

  /** The node's labels and properties as the open transaction sees them, or null when it does not exist. */
  private node(id: number): TouchedNode {
    const known = this.touched.get(id);
    if (known !== undefined) return known;
    const row = this.s.getNode.get(id) as { labels: string; props: string } | undefined;
    const n = row ? { labels: JSON.parse(row.labels) as string[], props: JSON.parse(row.props) as Properties } : null;
    this.touched.set(id, n);
    return n;
  }

  private nodeExists(id: number): boolean {
    const known = this.touched.get(id);
    return known !== undefined ? known !== null : Boolean(this.s.nodeExists.get(id));
  }

  /**
   * Applies a client's operations: checks them against the current state, assigns IDs, and returns the
   * resolved operations for the log. Throws TX_INVALID without changing anything the caller cannot roll back
   * (call inside a savepoint).
   */
  applyClientOps(ops: ClientOp[]): { resolved: ResolvedOp[]; ids: Record<string, number>; before: BeforeImages } {
    const refs = new Map<string, { kind: 'node' | 'relationship'; id: number }>();
    const ids: Record<string, number> = {};
    const resolve = (ref: number | string, kind: 'node' | 'relationship', where: string): number => {
      if (typeof ref === 'number') return ref;
      const r = refs.get(ref);
      if (!r) throw invalid(`${where}: unknown reference "${ref}" (define it with "ref" earlier in the transaction)`);
      if (r.kind !== kind) throw invalid(`${where}: "${ref}" is a ${r.kind}, not a ${kind}`);
      return r.id;
    };
    const resolved: ResolvedOp[] = [];
    const images = new ImageCollector();
    ops.forEach((op, i) => {
      const where = `ops[${i}] (${op.op})`;
      let out: ResolvedOp;
      switch (op.op) {
        case 'createNode': {
          const id = this.meta.nextNodeId;
          out = { op: 'createNode', id, labels: [...new Set(op.labels)].sort(), properties: sortProps(op.properties) };
          if (op.ref) {
            if (refs.has(op.ref)) throw invalid(`${where}: reference "${op.ref}" is defined twice`);
            refs.set(op.ref, { kind: 'node', id });
            ids[op.ref] = id;
          }
          break;
        }
        case 'createRelationship': {
          const id = this.meta.nextRelId;
          out = {
            op: 'createRelationship',
            id,
            type: op.type,
            start: resolve(op.start, 'node', where),
            end: resolve(op.end, 'node', where),
            properties: sortProps(op.properties),
          };
          if (op.ref) {
            if (refs.has(op.ref)) throw invalid(`${where}: reference "${op.ref}" is defined twice`);
            refs.set(op.ref, { kind: 'relationship', id });
            ids[op.ref] = id;
          }
          break;
        }
        case 'setProperties':
        case 'removeProperty': {
          const t =
            op.node !== undefined
              ? { node: resolve(op.node, 'node', where) }
              : { relationship: resolve(op.relationship as number | string, 'relationship', where) };
          out = op.op === 'setProperties' ? { op: op.op, ...t, properties: op.properties } : { op: op.op, ...t, key: op.key };
          break;
        }
        case 'addLabels':
        case 'removeLabels':
          out = { op: op.op, node: resolve(op.node, 'node', where), labels: op.labels };
          break;
        case 'deleteNode':
          out = { op: 'deleteNode', node: resolve(op.node, 'node', where) };
          break;
        case 'deleteRelationship':
          out = { op: 'deleteRelationship', relationship: resolve(op.relationship, 'relationship', where) };
          break;
      }
      this.imageBefore(out, images);
      this.applyOne(out, where);
      resolved.push(out);
    });
    return { resolved, ids, before: images.result() };
  }

  /**
   * Records what `op` is about to delete or change, as it was before the transaction (first touch only). (A
   * client's transaction is never a deferred batch: no relationship rows wait to be written here.)
   */
  private imageBefore(op: ResolvedOp, images: ImageCollector): void {
    const node = (id: number, how: { deleted?: boolean; keys?: string[] }) => {
      if (images.createdNodes.has(id)) return;
      let img = images.nodes.get(id);
      if (!img) {
        const n = this.node(id);
        if (!n) return; // applyOne refuses it
        img = { id, labels: [...n.labels], all: { ...n.props }, deleted: false, keys: new Set() };
        images.nodes.set(id, img);
      }
      if (how.deleted) img.deleted = true;
      for (const k of how.keys ?? []) img.keys.add(k);
    };
    const rel = (id: number, row: RelRow | undefined, how: { deleted?: boolean; keys?: string[] }) => {
      if (images.createdRels.has(id)) return;
      let img = images.rels.get(id);
      if (!img) {
        const r = row ?? (this.s.relRow.get(id) as RelRow | undefined);
        if (!r) return;
        img = { id, type: r.type, start: r.start_id, end: r.end_id, all: JSON.parse(r.props) as Properties, deleted: false, keys: new Set() };
        images.rels.set(id, img);
      }
      if (how.deleted) img.deleted = true;
      for (const k of how.keys ?? []) img.keys.add(k);
    };
    switch (op.op) {
      case 'createNode':
        images.createdNodes.add(op.id);
        return;
      case 'createRelationship':
        images.createdRels.add(op.id);
        return;
      case 'setProperties':
      case 'removeProperty': {
        const keys = op.op === 'setProperties' ? Object.keys(op.properties) : [op.key];
        if (op.node !== undefined) node(op.node, { keys });
        else rel(op.relationship as number, undefined, { keys });
        return;
      }
      case 'addLabels':
      case 'removeLabels':
        node(op.node, {});
        return;
      case 'deleteNode':
        if (!this.nodeExists(op.node)) return;
        for (const r of this.s.relRowsOf.all(op.node, op.node) as RelRow[]) rel(r.id, r, { deleted: true });
        node(op.node, { deleted: true });
        return;
      case 'deleteRelationship':
        rel(op.relationship, undefined, { deleted: true });
        return;
    }
  }

  /** Applies logged operations (replication, recovery, restore). */
  applyResolved(ops: ResolvedOp[], txId: number): void {
    for (let i = 0; i < ops.length; i++) this.applyOne(ops[i], `transaction ${txId} ops[${i}]`);
  }

  private applyOne(op: ResolvedOp, where: string): void {
    const s = this.s;
    const m = this.meta;
    switch (op.op) {
      case 'createNode': {
        if (op.id < m.nextNodeId && this.nodeExists(op.id)) throw invalid(`${where}: node ${op.id} already exists`);
        // deferred: its row and its label index rows are written at commit (or by writePending), as the batch
        // leaves them
        if (this.deferred) this.deferred.set(op.id, 'insert');
        else {
          const labels = JSON.stringify(op.labels);
          const props = canonicalJson(op.properties);
          s.insNode.run(op.id, labels, props);
          this.added(nodeLine(op.id, labels, props));
          for (const l of op.labels) s.insLabel.run(l, op.id);
        }
        // Copies: the operation itself is logged as it came, whatever later operations do to the node.
        this.touched.set(op.id, { labels: [...op.labels], props: { ...op.properties } });
        m.nextNodeId = Math.max(m.nextNodeId, op.id + 1);
        m.nodeCount++;
        return;
      }
      case 'createRelationship': {
        if (!this.nodeExists(op.start)) throw invalid(`${where}: start node ${op.start} does not exist`);
        if (!this.nodeExists(op.end)) throw invalid(`${where}: end node ${op.end} does not exist`);
        // (IDs are handed out in order, so a lower one is checked: written later, a duplicate would fail at commit)
        if (op.id < m.nextRelId) {
          this.writeNewRels();
          if (s.getRel.get(op.id)) throw invalid(`${where}: relationship ${op.id} already exists`);
        }
        const props = canonicalJson(op.properties);
        if (this.newRels) this.newRels.add(op.id, op.type, op.start, op.end, props);
        else s.insRel.run(op.id, op.type, op.start, op.end, props);
        this.added(relLine(op.id, op.type, op.start, op.end, props));
        m.nextRelId = Math.max(m.nextRelId, op.id + 1);
        m.relCount++;
        return;
      }
      case 'setProperties':
      case 'removeProperty': {
        if (op.node !== undefined) {
          const n = this.node(op.node);
          if (!n) throw invalid(`${where}: node ${op.node} does not exist`);
          if (op.op === 'setProperties') Object.assign(n.props, op.properties);
          else delete n.props[op.key];
          const id = op.node;
          this.changed(id, () => s.updNodeProps.run(canonicalJson(n.props), id));
          return;
        }
        const id = op.relationship as number;
        this.writeNewRels();
        const row = s.getRel.get(id) as { props: string } | undefined;
        if (!row) throw invalid(`${where}: relationship ${id} does not exist`);
        const props = JSON.parse(row.props) as Properties;
        if (op.op === 'setProperties') Object.assign(props, op.properties);
        else delete props[op.key];
        s.updRelProps.run(canonicalJson(props), id);
        return;
      }
      case 'addLabels':
      case 'removeLabels': {
        const n = this.node(op.node);
        if (!n) throw invalid(`${where}: node ${op.node} does not exist`);
        const labels = new Set(n.labels);
        // (a node new in a deferred batch gets its label index rows when its row is written)
        const indexed = this.deferred?.get(op.node) !== 'insert';
        for (const l of op.labels) {
          if (op.op === 'addLabels') {
            labels.add(l);
            if (indexed) s.insLabel.run(l, op.node);
          } else {
            labels.delete(l);
            if (indexed) s.delLabel.run(l, op.node);
          }
        }
        n.labels = [...labels].sort();
        const id = op.node;
        this.changed(id, () => s.updNodeLabels.run(JSON.stringify(n.labels), id));
        return;
      }
      case 'deleteNode': {
        const n = this.node(op.node);
        if (!n) throw invalid(`${where}: node ${op.node} does not exist`);
        this.writeNewRels();
        for (const relId of s.relsOf.all(op.node, op.node) as number[]) {
          s.delRel.run(relId);
          m.relCount--;
        }
        // a node new in a deferred batch has neither its row nor its label index rows yet
        const neverWritten = this.deferred?.get(op.node) === 'insert';
        this.deferred?.delete(op.node);
        if (!neverWritten) {
          for (const l of n.labels) s.delLabel.run(l, op.node);
          s.delNode.run(op.node);
        }
        this.touched.set(op.node, null);
        m.nodeCount--;
        return;
      }
      case 'deleteRelationship': {
        this.writeNewRels();
        if (s.delRel.run(op.relationship).changes === 0) throw invalid(`${where}: relationship ${op.relationship} does not exist`);
        m.relCount--;
        return;
      }
      default:
        throw invalid(`${where}: unknown operation "${(op as { op: string }).op}"`);
    }
  }

  /** Records the last applied transaction and the counters (inside the caller's SQLite transaction). */
  writeMeta(patch: Partial<StoreMeta> = {}): void {
    Object.assign(this.meta, patch);
    for (const k of META_KEYS) this.s.setMeta.run(k, this.meta[k]);
  }

  /** Re-reads the counters from the file (after a rollback). */
  reloadMeta(): void {
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: unknown }>;
    const m = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    this.meta = Object.fromEntries(META_KEYS.map((k) => [k, m[k]])) as unknown as StoreMeta;
    this.sum = m[CONTENT_SUM_KEY] === undefined ? null : ContentSum.fromHex(String(m[CONTENT_SUM_KEY]));
  }

  /** Full checkpoint: the main file then holds every committed change. Returns false when readers blocked it. */
  checkpoint(mode: 'PASSIVE' | 'TRUNCATE' = 'TRUNCATE'): boolean {
    const r = this.db.pragma(`main.wal_checkpoint(${mode})`) as Array<{ busy: number; log: number; checkpointed: number }>;
    return r[0].busy === 0 && r[0].log === r[0].checkpointed;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface RelRow {
  id: number;
  type: string;
  start_id: number;
  end_id: number;
  props: string;
}

type Imaged = { all: Properties; deleted: boolean; keys: Set<string> };

/** The before-images of one client transaction, as its operations are applied. */
class ImageCollector {
  readonly createdNodes = new Set<number>();
  readonly createdRels = new Set<number>();
  readonly nodes = new Map<number, Omit<NodeImage, 'properties' | 'deleted'> & Imaged>();
  readonly rels = new Map<number, Omit<RelationshipImage, 'properties' | 'deleted'> & Imaged>();

  result(): BeforeImages {
    const props = (x: Imaged): Record<string, PropertyBefore> => {
      if (x.deleted) return x.all;
      const out: Record<string, PropertyBefore> = {};
      for (const k of [...x.keys].sort()) out[k] = Object.hasOwn(x.all, k) ? x.all[k] : null;
      return out;
    };
    return {
      nodes: [...this.nodes.values()].map((n) => ({ id: n.id, deleted: n.deleted, labels: n.labels, properties: props(n) })),
      relationships: [...this.rels.values()].map((r) => ({ id: r.id, deleted: r.deleted, type: r.type, start: r.start, end: r.end, properties: props(r) })),
    };
  }
}

function invalid(message: string): TxlineError {
  return new TxlineError('TX_INVALID', message);
}

function sortProps(p: Properties): Properties {
  const out: Properties = {};
  for (const k of Object.keys(p).sort()) out[k] = p[k];
  return out;
}

/**
 * The ordered content hash of a store, which artifacts of format 2 recorded (format 3 records the content sum
 * instead, which the writer keeps at every commit: this one is a read of every row), on any connection to it
 * (read in one transaction): SHA-256 over
 * `n<id>|<labels>|<props>\n` for every node, then `r<id>|<type>|<start>|<end>|<props>\n` for every
 * relationship, in ID order. SQLite builds the lines, 4096 rows at a time, as UTF-8 bytes (building them in
 * JavaScript took 7.4 s for 2.2 million rows, this 2.8 s).
 *
 * Self-contained (it also runs on a worker thread from its source text, see database.ts): it uses only its
 * arguments.
 */
export function digestStore(db: Database.Database, sha256: () => { update(b: Uint8Array): unknown; digest(enc: 'hex'): string }): Digest {
  const CHUNK = 4096;
  const run = () => {
    const lastCommittedTxn = db.prepare("SELECT value FROM meta WHERE key = 'lastTxId'").pluck().get() as number;
    const h = sha256();
    const counts = [0, 0];
    const lines = [
      "'n' || id || '|' || labels || '|' || props || char(10)",
      "'r' || id || '|' || type || '|' || start_id || '|' || end_id || '|' || props || char(10)",
    ];
    ['nodes', 'rels'].forEach((table, t) => {
      const q = db.prepare(
        `SELECT count(*) AS n, max(id) AS last, CAST(group_concat(line, '' ORDER BY id) AS BLOB) AS bytes
         FROM (SELECT id, ${lines[t]} AS line FROM ${table} WHERE id > ? ORDER BY id LIMIT ${CHUNK})`,
      );
      for (let after = -1; ; ) {
        const r = q.get(after) as { n: number; last: number | null; bytes: Uint8Array | null };
        if (r.n === 0 || r.last === null) break;
        if (r.bytes) h.update(r.bytes);
        counts[t] += r.n;
        after = r.last;
        if (r.n < CHUNK) break;
      }
    });
    return { lastCommittedTxn, nodes: counts[0], relationships: counts[1], contentHash: h.digest('hex') };
  };
  return db.inTransaction ? run() : db.transaction(run)();
}

/**
 * The digest of a store from scratch (every row read: seconds per million rows), on any connection, in one
 * transaction; `ordered`: with the ordered hash of format 2 as well.
 */
export function computeDigest(db: Database.Database, opts: { ordered?: boolean } = {}): Digest {
  const run = (): Digest => {
    const d: Digest = computeContentSum(db, lineSha256);
    if (opts.ordered) d.orderedHash = digestStore(db, () => createHash('sha256')).contentHash;
    return d;
  };
  return db.inTransaction ? run() : db.transaction(run)();
}

/**
 * The digest the store's writer keeps (its meta: no row is read), on any connection; null when the store
 * keeps no content sum yet (written before sums were kept, and not written since).
 */
export function keptDigest(db: Database.Database): Digest | null {
  // one statement: one consistent view of the meta keys
  const rows = db.prepare("SELECT key, value FROM meta WHERE key IN ('lastTxId', 'nodeCount', 'relCount', ?)").all(CONTENT_SUM_KEY) as Array<{ key: string; value: unknown }>;
  const m = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  if (m[CONTENT_SUM_KEY] === undefined) return null;
  return { lastCommittedTxn: Number(m.lastTxId), nodes: Number(m.nodeCount), relationships: Number(m.relCount), contentHash: ContentSum.fromHex(String(m[CONTENT_SUM_KEY])).toHex() };
}

export function readMeta(db: Database.Database): StoreMeta {
  const rows = db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: unknown }>;
  const m = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  return Object.fromEntries(META_KEYS.map((k) => [k, m[k]])) as unknown as StoreMeta;
}

export function findNodes(db: Database.Database, opts: { label?: string; limit: number; afterId?: number }): NodeRow[] {
  const rows = (
    opts.label
      ? db
          .prepare('SELECT n.id, n.labels, n.props FROM node_labels l JOIN nodes n ON n.id = l.node_id WHERE l.label = ? AND l.node_id > ? ORDER BY l.node_id LIMIT ?')
          .all(opts.label, opts.afterId ?? -1, opts.limit)
      : db.prepare('SELECT id, labels, props FROM nodes WHERE id > ? ORDER BY id LIMIT ?').all(opts.afterId ?? -1, opts.limit)
  ) as Array<{ id: number; labels: string; props: string }>;
  return rows.map((r) => ({ id: r.id, labels: JSON.parse(r.labels), properties: JSON.parse(r.props) }));
}

/** Consistency checks of a store: what `database check` reports. Empty when the store is consistent. */
export function checkConsistency(db: Database.Database): string[] {
  const problems: string[] = [];
  const meta = readMeta(db);
  const q = (sql: string) => db.prepare(sql).pluck().get() as number;
  const dangling = db
    .prepare('SELECT r.id, r.start_id, r.end_id FROM rels r WHERE NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = r.start_id) OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = r.end_id) LIMIT 20')
    .all() as Array<{ id: number; start_id: number; end_id: number }>;
  for (const r of dangling) problems.push(`relationship ${r.id} points at a missing node (${r.start_id} -> ${r.end_id})`);
  const nodes = q('SELECT count(*) FROM nodes');
  const rels = q('SELECT count(*) FROM rels');
  if (nodes !== meta.nodeCount) problems.push(`node count is ${nodes} but the store records ${meta.nodeCount}`);
  if (rels !== meta.relCount) problems.push(`relationship count is ${rels} but the store records ${meta.relCount}`);
  const orphanLabels = q('SELECT count(*) FROM node_labels l WHERE NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = l.node_id)');
  if (orphanLabels > 0) problems.push(`${orphanLabels} label entries belong to no node`);
  const labelCount = q("SELECT coalesce(sum(json_array_length(labels)), 0) FROM nodes");
  const indexCount = q('SELECT count(*) FROM node_labels');
  if (labelCount !== indexCount) problems.push(`nodes carry ${labelCount} labels but the label index holds ${indexCount}`);
  const maxNode = q('SELECT coalesce(max(id), -1) FROM nodes');
  const maxRel = q('SELECT coalesce(max(id), -1) FROM rels');
  if (maxNode >= meta.nextNodeId) problems.push(`node ${maxNode} is above the node ID counter ${meta.nextNodeId}`);
  if (maxRel >= meta.nextRelId) problems.push(`relationship ${maxRel} is above the relationship ID counter ${meta.nextRelId}`);
  const badJson = q("SELECT count(*) FROM nodes WHERE json_valid(props) = 0 OR json_type(props) <> 'object'") + q("SELECT count(*) FROM rels WHERE json_valid(props) = 0 OR json_type(props) <> 'object'");
  if (badJson > 0) problems.push(`${badJson} property records are unreadable`);
  const integrity = db.pragma('quick_check', { simple: true });
  if (integrity !== 'ok') problems.push(`SQLite quick_check: ${String(integrity)}`);
  return problems;
}

/** Rows for one table, written `INSERT_ROWS` to a statement (`many`), the rest one by one (`one`). */
class Rows {
  private readonly values: unknown[] = [];
  constructor(
    private readonly many: () => Stmt,
    private readonly one: Stmt,
    private readonly width: number,
  ) {}

  add(...row: unknown[]): void {
    for (const v of row) this.values.push(v);
    if (this.values.length === INSERT_ROWS * this.width) {
      this.many().run(this.values);
      this.values.length = 0;
    }
  }

  end(): void {
    for (let i = 0; i < this.values.length; i += this.width) this.one.run(...this.values.slice(i, i + this.width));
    this.values.length = 0;
  }
}

/**
 * Graph stores in temporary folders for tests of lib/graph: `tempStores(prefix).newStore()` opens a fresh store
 * (database `neo4j`, or the name given); every store is closed and its folder removed after each test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { GraphStore } from '../../lib/graph/store';

export function tempStores(prefix: string): { newStore(name?: string): GraphStore; track(s: GraphStore): GraphStore } {
  const dirs: string[] = [];
  const stores: GraphStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const track = (s: GraphStore) => {
    stores.push(s);
    return s;
  };
  return {
    track,
    newStore(name = 'neo4j') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `txline-${prefix}-`));
      dirs.push(dir);
      return track(GraphStore.open(path.join(dir, 'store.sqlite'), { databaseName: name }));
    },
  };
}

/**
 * The contract every storage location keeps (lib/storage/location.ts), written once and run against each kind:
 * tests/storage/local-location.test.ts runs it on a local folder; an S3 location (issue 15) runs the same
 * function against a local S3-compatible server. What only a kind can set up (a killed writer's leftovers, odd
 * objects) comes from the kind's `Fixture`.
 */
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { Location } from '@/lib/storage/location';
import { TxlineError } from '@/lib/errors';

export interface Fixture {
  /** a fresh, empty location */
  make(): Promise<Location>;
  /** leaves what a writer killed before commit() would leave, by a process that is gone */
  plantKilledWriter(loc: Location): Promise<void>;
  /** odd `*.backup` names the location must list as not regular, or refuse to read: name -> what */
  plantOdd?(loc: Location): Promise<Array<{ name: string; refusedAs: string | RegExp }>>;
}

async function put(loc: Location, name: string, data: Buffer): Promise<string> {
  const w = await loc.write(name);
  w.sink.end(data);
  return w.commit();
}

const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

export function locationContract(kind: string, fx: Fixture): void {
  describe(`a ${kind} location keeps the storage contract`, () => {
    it('lists committed artifacts with their sizes, and nothing hidden or not named *.backup', async () => {
      const loc = await fx.make();
      expect(await loc.list()).toEqual([]);
      await put(loc, 'neo4j-2026-01-01T00-00-00.backup', bytes(1000));
      await put(loc, 'neo4j-2026-01-02T00-00-00.backup', bytes(10));
      const listed = (await loc.list()).sort((a, b) => a.name.localeCompare(b.name));
      expect(listed.map((e) => [e.name, e.size, e.regular])).toEqual([
        ['neo4j-2026-01-01T00-00-00.backup', 1000, true],
        ['neo4j-2026-01-02T00-00-00.backup', 10, true],
      ]);
      expect((await loc.stat('neo4j-2026-01-01T00-00-00.backup'))?.size).toBe(1000);
      expect(await loc.stat('neo4j-2030-01-01T00-00-00.backup')).toBeNull();
    });

    it('reads ranges, and the head with the whole size', async () => {
      const loc = await fx.make();
      const data = bytes(300_000, 7);
      const name = await put(loc, 'db-2026-01-01T00-00-00.backup', data);
      expect(await buffer(await loc.read(name))).toEqual(data);
      expect(await buffer(await loc.read(name, { start: 9216, end: 9216 + 70_000 }))).toEqual(data.subarray(9216, 9216 + 70_000));
      expect(await buffer(await loc.read(name, { start: 299_990 }))).toEqual(data.subarray(299_990));
      expect(await buffer(await loc.read(name, { start: 5, end: 5 }))).toEqual(Buffer.alloc(0));
      const head = await loc.readHead(name, 512);
      expect(head).toEqual({ bytes: data.subarray(0, 512), size: 300_000 });
      expect((await loc.readHead(name, 400_000)).bytes.length).toBe(300_000);
      await expect(loc.read(name, {}, { expectSize: 299_999 })).rejects.toMatchObject({ code: 'ARTIFACT_CORRUPT' });
      await expect(loc.readHead('db-2030-01-01T00-00-00.backup', 512)).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
    });

    it('shows a written artifact only once it is committed, under a fresh name when its name is taken', async () => {
      const loc = await fx.make();
      const w = await loc.write('db-2026-01-01T00-00-00.backup');
      w.sink.write(bytes(100_000));
      expect(await loc.list()).toEqual([]);
      w.sink.end(bytes(100, 3));
      expect(await loc.list()).toEqual([]);
      const name = await w.commit();
      expect(name).toBe('db-2026-01-01T00-00-00.backup');
      expect((await loc.list()).map((e) => [e.name, e.size])).toEqual([[name, 100_100]]);
      const second = await put(loc, 'db-2026-01-01T00-00-00.backup', bytes(5));
      expect(second).toBe('db-2026-01-01T00-00-00-1.backup');
      expect(await buffer(await loc.read(name))).toHaveLength(100_100); // never replaced
    });

    it('abort leaves nothing, whether bytes were written or not', async () => {
      const loc = await fx.make();
      const w = await loc.write('db-2026-01-01T00-00-00.backup');
      w.sink.write(bytes(50_000));
      await w.abort();
      await w.abort(); // twice is fine
      const empty = await loc.write('db-2026-01-02T00-00-00.backup');
      await empty.abort();
      expect(await loc.list()).toEqual([]);
      expect(await loc.cleanLeftovers()).toEqual([]); // nothing was left to clean
    });

    it("never lists a killed writer's leftovers, and cleans them", async () => {
      const loc = await fx.make();
      await fx.plantKilledWriter(loc);
      expect(await loc.list()).toEqual([]);
      const cleaned = await loc.cleanLeftovers();
      expect(cleaned.length).toBeGreaterThan(0);
      expect(await loc.cleanLeftovers()).toEqual([]);
    });

    it('deletes a name for good; a name already gone is no error', async () => {
      const loc = await fx.make();
      const a = await put(loc, 'db-2026-01-01T00-00-00.backup', bytes(10));
      const b = await put(loc, 'db-2026-01-02T00-00-00.backup', bytes(10));
      await loc.delete(a);
      expect((await loc.list()).map((e) => e.name)).toEqual([b]);
      expect(await loc.stat(a)).toBeNull();
      await loc.delete(a);
      await expect(loc.readHead(a, 10)).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
    });

    it('refuses names that are paths, and writes no name with a comma', async () => {
      const loc = await fx.make();
      for (const bad of ['../x.backup', 'a/b.backup']) {
        await expect(loc.readHead(bad, 10)).rejects.toBeInstanceOf(TxlineError);
        await expect(loc.write(bad)).rejects.toBeInstanceOf(TxlineError);
      }
      await expect(loc.write('a,b.backup')).rejects.toBeInstanceOf(TxlineError); // never a name with a comma
    });

    if (fx.plantOdd) {
      const plantOdd = fx.plantOdd;
      it('lists odd names as not regular or refused, and refuses to read them without blocking', async () => {
        const loc = await fx.make();
        const odd = await plantOdd(loc);
        const listed = new Map((await loc.list()).map((e) => [e.name, e]));
        for (const o of odd) {
          const e = listed.get(o.name);
          if (e) expect(!e.regular || e.refused !== undefined, o.name).toBe(true);
          const err = await loc.readHead(o.name, 512).then(() => null, (x: unknown) => x);
          expect(err, o.name).toBeInstanceOf(TxlineError);
          expect((err as Error).message).toMatch(o.refusedAs);
          await expect(loc.read(o.name)).rejects.toBeInstanceOf(TxlineError);
        }
      });
    }
  });
}

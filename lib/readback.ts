/**
 * The checksum a restore's copies on one host are compared by: XXH3 (64 bits, seed 0, written as 16 hex digits)
 * of every byte of a store file, computed by the writer as it sends the store and by each member as it reads its
 * copy back (lib/cluster/staging.ts, lib/sources/txline/install.ts). It catches a lost, flipped or misplaced
 * byte as CRC-32 did, at about five times its speed (1 GiB read back from memory: 200 ms against 355 ms, of
 * which the read alone is 155-185 ms); it is not meant to resist someone who crafts a store to collide: a
 * member checks what its own host's restore process wrote.
 */
import { createRequire } from 'node:module';
import { TxlineError, describeError } from './errors';

export const READBACK_HEX = /^[0-9a-f]{16}$/;

// A native addon (a prebuilt binary per platform, an optional dependency of the package): loaded when a copy is
// first checked, not by every process at its start; where it cannot be loaded, a restore uploads its store to
// the member over HTTP instead (checked by SHA-256), see readBackProblem().
const requireHere = createRequire(import.meta.url);
let addon: typeof import('@node-rs/xxhash') | null = null;
let loadError: unknown = null;

function load(): typeof import('@node-rs/xxhash') {
  if (addon) return addon;
  if (loadError === null) {
    try {
      addon = requireHere('@node-rs/xxhash') as typeof import('@node-rs/xxhash');
      return addon;
    } catch (e) {
      loadError = e;
    }
  }
  throw new TxlineError('INTERNAL', `the native module @node-rs/xxhash cannot be loaded on this host: ${describeError(loadError)}`, { cause: loadError });
}

/** Why copies cannot be checked here (the addon does not load), or null when they can. */
export function readBackProblem(): string | null {
  try {
    load();
    return null;
  } catch (e) {
    return describeError(e);
  }
}

export class ReadBackHash {
  private readonly h = load().xxh3.Xxh3.withSeed();

  update(bytes: Uint8Array): this {
    this.h.update(bytes);
    return this;
  }

  /** 16 hex digits */
  hex(): string {
    return this.h.digest().toString(16).padStart(16, '0');
  }
}

/** The read-back checksum of bytes held whole (tests). */
export const readBackOf = (bytes: Uint8Array): string => new ReadBackHash().update(bytes).hex();

/**
 * Password hashing with scrypt (memory-hard, from node:crypto): N=2^15, r=8, p=1 (32 MiB, ~0.1 s here),
 * a 16-byte random salt, stored as `scrypt$N$r$p$salt$hash` (base64url) so the cost can grow later.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 1 << 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (![n, r, p].every((x) => Number.isSafeInteger(x) && x > 0)) return false;
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await scrypt(password, salt, expected.length, { N: n, r, p, maxmem: MAXMEM });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password policy a DBA console can live with: at least 10 characters, not all the same. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < 10) return 'must be at least 10 characters long';
  if (password.length > 256) return 'must be at most 256 characters long';
  if (/^(.)\1*$/.test(password)) return 'must not be one character repeated';
  if (username && password.toLowerCase() === username.toLowerCase()) return 'must not be the user name';
  return null;
}

/** A random password for a new admin (printed once) or a reset. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The sealed Bolt password of a registered Neo4j cluster. Server-only (Node).
 *
 * Why sealed rather than a reference to the DBA's password file: the dashboard registers clusters too (a
 * password typed in a form has no file), the catalog must stay usable when the file the CLI was given moves or
 * is deleted, and a copy of the catalog alone (a backup of txline.sqlite, a support bundle) must not reveal the
 * password. So the password is sealed with AES-256-GCM under a random 256-bit key kept in a file beside the
 * catalog (`txline-secret.key`, mode 0600, created on first use): whoever shares the catalog (the CLI and the
 * dashboard, through TXLINE_CATALOG) shares the key.
 *
 * Invariants:
 * - The sealed text is `v1:<iv>:<tag>:<ciphertext>` (base64url); the additional data binds it to the cluster's
 *   URI and user: a sealed password copied to another row, or a row whose URI was changed to another server,
 *   does not open (so editing the catalog cannot send the password elsewhere).
 * - The key file must be a regular file (not a symlink) of 32 bytes; group or other access is taken away.
 * - Neither the key nor the password appears in an error message.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TxlineError, describeError } from '../../errors';

export const SECRET_KEY_FILE = 'txline-secret.key';

/** The key file of a catalog: beside it. */
export function secretKeyFile(catalog: string): string {
  return path.join(path.dirname(path.resolve(catalog)), SECRET_KEY_FILE);
}

/** Reads the key (creating it when `create` and it is missing). */
function readKey(file: string, create: boolean): Buffer {
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new TxlineError('IO_ERROR', `cannot read the secret key file ${file}: ${describeError(e)}`, { cause: e });
  }
  if (!st) {
    if (!create) throw new TxlineError('NOT_FOUND', `the secret key file ${file} is missing: the stored Neo4j passwords cannot be opened; register the cluster again`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const key = randomBytes(32);
    try {
      fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
      return key;
    } catch (e) {
      // another process created it first: read theirs
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new TxlineError('IO_ERROR', `cannot write the secret key file ${file}: ${describeError(e)}`, { cause: e });
      return readKey(file, false);
    }
  }
  if (!st.isFile()) throw new TxlineError('INVALID_ARGUMENT', `the secret key file ${file} is not a regular file (a symlink?): remove it`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const key = fs.readFileSync(file);
  if (key.length !== 32) throw new TxlineError('INVALID_ARGUMENT', `the secret key file ${file} is not a 32-byte key`);
  return key;
}

const aad = (uri: string, user: string) => Buffer.from(`txline-neo4j-password\0${uri}\0${user}`, 'utf8');

/** Seals `password` for the cluster at `uri` as `user`. */
export function sealPassword(catalog: string, { uri, user, password }: { uri: string; user: string; password: string }): string {
  const key = readKey(secretKeyFile(catalog), true);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(uri, user));
  const ct = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
}

/** Opens a sealed password; one that does not open (another key, another URI or user, altered) is refused. */
export function openPassword(catalog: string, { uri, user, sealed }: { uri: string; user: string; sealed: string }): string {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new TxlineError('INVALID_ARGUMENT', 'the stored Neo4j password is not in a form this Txline reads: register the cluster again');
  const key = readKey(secretKeyFile(catalog), false);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1], 'base64url'));
    decipher.setAAD(aad(uri, user));
    decipher.setAuthTag(Buffer.from(parts[2], 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]).toString('utf8');
  } catch (e) {
    throw new TxlineError('INVALID_ARGUMENT', `the stored Neo4j password for ${user} at ${uri} does not open with ${secretKeyFile(catalog)} (another key, or the row was altered): register the cluster again`, { cause: e });
  }
}

/**
 * Reads a password file as the CLI is given it: its first line, without the line end. Refuses an empty one and
 * one that is not a regular file. The file's contents never appear in a message.
 */
export function readPasswordFile(file: string): string {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new TxlineError('INVALID_ARGUMENT', `--password-file ${file} is not a regular file`);
    if (st.size > 4096) throw new TxlineError('INVALID_ARGUMENT', `--password-file ${file} is larger than a password (4 KiB)`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof TxlineError) throw e;
    throw new TxlineError('PATH_NOT_FOUND', `cannot read --password-file ${file}: ${describeError(e)}`, { cause: e });
  }
  const password = text.split(/\r?\n/, 1)[0];
  if (!password) throw new TxlineError('INVALID_ARGUMENT', `--password-file ${file}: its first line is empty`);
  return password;
}

/**
 * Seals any secret of the catalog (a webhook's signing secret, say) under the same key file, bound to `purpose`
 * (the additional data: a sealed text copied to another purpose does not open). Same form as a sealed password.
 */
export function sealSecret(catalog: string, purpose: string, secret: string): string {
  const key = readKey(secretKeyFile(catalog), true);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`txline-secret\0${purpose}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
}

/** Opens what sealSecret sealed for `purpose`; anything else is refused (INVALID_ARGUMENT, without the secret). */
export function openSecret(catalog: string, purpose: string, sealed: string): string {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new TxlineError('INVALID_ARGUMENT', 'a stored secret is not in a form this Txline reads: set it again');
  const key = readKey(secretKeyFile(catalog), false);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1], 'base64url'));
    decipher.setAAD(Buffer.from(`txline-secret\0${purpose}`, 'utf8'));
    decipher.setAuthTag(Buffer.from(parts[2], 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]).toString('utf8');
  } catch (e) {
    throw new TxlineError('INVALID_ARGUMENT', `a stored secret does not open with ${secretKeyFile(catalog)} (another key, or the row was altered): set it again`, { cause: e });
  }
}

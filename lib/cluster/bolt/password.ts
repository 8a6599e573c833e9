/**
 * The password of the embedded cluster's Bolt user `neo4j`.
 *
 * `txline cluster start` writes it to `<cluster data folder>/bolt-password` (mode 0600): TXLINE_BOLT_PASSWORD
 * when it is set, else the password already in the file (a restart keeps it), else a new random one. So the
 * file always holds the running cluster's password, as the token file holds its token (../token.ts). The
 * supervisor gives it to each member in TXLINE_BOLT_PASSWORD. It is never logged nor printed: the CLI says
 * where the file is.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TxlineError, describeError } from '../../errors';

export const BOLT_USER = 'neo4j';
export const BOLT_PASSWORD_FILE = 'bolt-password';
export const BOLT_PASSWORD_VAR = 'TXLINE_BOLT_PASSWORD';

/** 8 to 1024 printable ASCII characters, no spaces (it is kept on one line of a file). */
const PASSWORD = /^[\x21-\x7e]{8,1024}$/;

/** TXLINE_BOLT_PASSWORD, checked; undefined when unset or empty. */
export function boltPasswordVar(source: Record<string, string | undefined> = process.env): string | undefined {
  const v = source[BOLT_PASSWORD_VAR];
  if (v === undefined || v === '') return undefined;
  if (!PASSWORD.test(v)) throw new TxlineError('INVALID_ARGUMENT', `${BOLT_PASSWORD_VAR} must be 8 to 1024 printable characters without spaces`);
  return v;
}

/** Refuses a password that is not 8 to 1024 printable characters without spaces. */
export function checkBoltPassword(given: string): void {
  if (!PASSWORD.test(given)) throw new TxlineError('INVALID_ARGUMENT', 'the Bolt password must be 8 to 1024 printable characters without spaces');
}

/** Writes (if needed) and returns the cluster's Bolt password; see the header. A symlink in its place is refused. */
export function ensureBoltPasswordFile(dataDir: string, given?: string): string {
  const file = path.join(dataDir, BOLT_PASSWORD_FILE);
  if (given !== undefined) checkBoltPassword(given);
  let existing: string | null = null;
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new TxlineError('INVALID_ARGUMENT', `cannot read ${file}: ${describeError(e)}`, { cause: e });
  }
  if (st && !st.isFile()) throw new TxlineError('INVALID_ARGUMENT', `the Bolt password file ${file} is not a regular file (a symlink?): remove it`);
  if (st) {
    const text = fs.readFileSync(file, 'utf8').trim();
    existing = PASSWORD.test(text) ? text : null;
  }
  const password = given ?? existing ?? randomBytes(24).toString('base64url');
  if (password !== existing) {
    const tmp = `${file}.${randomBytes(8).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(tmp, `${password}\n`, { mode: 0o600, flag: 'wx' });
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new TxlineError('INVALID_ARGUMENT', `cannot write the Bolt password file ${file}: ${describeError(e)}`, { cause: e });
    }
  } else if ((fs.lstatSync(file).mode & 0o077) !== 0) {
    fs.chmodSync(file, 0o600);
  }
  return password;
}

/** Compares credentials in constant time (both sides hashed first, so lengths do not leak either). */
export function credentialsMatch(principal: string, credentials: string, password: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  const passwordOk = timingSafeEqual(h(credentials), h(password));
  return principal === BOLT_USER && passwordOk;
}

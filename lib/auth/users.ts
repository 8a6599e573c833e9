/**
 * Users of the dashboard: viewer (sees everything, changes nothing), operator (+ backups, verify, cancel jobs),
 * admin (+ restore, aggregate, delete artifacts, cluster controls, users and settings).
 *
 * On first start there is one user, `admin`, whose password comes from TXLINE_ADMIN_PASSWORD or is generated
 * and printed once; either way it must be changed at first login (Neo4j's CHANGE REQUIRED).
 */
import { asc, eq } from 'drizzle-orm';
import type { Catalog } from '../db';
import { ROLES, users, type Role, type UserRow } from '../db/schema';
import { deleteUserSessions } from './sessions';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './password';

export const USERNAME = /^[a-z][a-z0-9._-]{1,31}$/;

export function listUsers(db: Catalog): UserRow[] {
  return db.select().from(users).orderBy(asc(users.username)).all();
}

export function findUser(db: Catalog, username: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.username, username.toLowerCase())).get();
}

export function getUser(db: Catalog, id: number): UserRow | undefined {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/** Creates `admin` when there are no users. Returns the generated password when one was generated. */
export async function ensureInitialAdmin(db: Catalog, envPassword: string | undefined): Promise<{ created: boolean; generated: string | null }> {
  if (db.select({ id: users.id }).from(users).limit(1).get()) return { created: false, generated: null };
  const generated = envPassword ? null : generatePassword();
  const password = envPassword ?? (generated as string);
  db.insert(users)
    .values({ username: 'admin', passwordHash: await hashPassword(password), role: 'admin', mustChangePassword: true })
    .onConflictDoNothing()
    .run();
  return { created: true, generated };
}

export async function createUser(db: Catalog, u: { username: string; password: string; role: Role }): Promise<UserRow> {
  return db
    .insert(users)
    .values({ username: u.username.toLowerCase(), passwordHash: await hashPassword(u.password), role: u.role, mustChangePassword: true })
    .returning()
    .get();
}

/** The user if the password is right and the user is enabled. Always spends the hashing time. */
export async function checkCredentials(db: Catalog, username: string, password: string): Promise<UserRow | null> {
  const u = findUser(db, username);
  // Hash even for unknown users, so timing does not tell which names exist.
  const ok = await verifyPassword(password, u?.passwordHash ?? DUMMY_HASH);
  return u && ok && !u.disabled ? u : null;
}

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export async function setPassword(db: Catalog, { userId, password, mustChange }: { userId: number; password: string; mustChange: boolean }): Promise<void> {
  db.update(users)
    .set({ passwordHash: await hashPassword(password), mustChangePassword: mustChange, updatedAt: Date.now() })
    .where(eq(users.id, userId))
    .run();
}

export function setRole(db: Catalog, { userId, role }: { userId: number; role: Role }): void {
  db.update(users).set({ role, updatedAt: Date.now() }).where(eq(users.id, userId)).run();
}

/** Returns how many of the user's sessions ended (disabling ends them all). */
export function setDisabled(db: Catalog, { userId, disabled }: { userId: number; disabled: boolean }): number {
  db.update(users).set({ disabled, updatedAt: Date.now() }).where(eq(users.id, userId)).run();
  return disabled ? deleteUserSessions(db, { userId }) : 0;
}

/** Whether changing `userId` to `role`/`disabled` would take away the last enabled admin. */
export function wouldLeaveNoAdmin(db: Catalog, change: { userId: number; role?: Role; disabled?: boolean }): boolean {
  const all = listUsers(db);
  const enabledAdmins = (apply: boolean) =>
    all.filter((u) => {
      const mine = apply && u.id === change.userId;
      const role = mine && change.role ? change.role : u.role;
      const disabled = mine && change.disabled !== undefined ? change.disabled : u.disabled;
      return role === 'admin' && !disabled;
    }).length;
  return enabledAdmins(false) > 0 && enabledAdmins(true) === 0;
}

export { ROLES, passwordProblem };

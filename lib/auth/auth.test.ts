/**
 * Users, passwords, sessions, login throttling and the audit log, on a real (in-memory) catalog.
 */
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../db';
import { eq } from 'drizzle-orm';
import { auditEvents, loginAttempts, users } from '../db/schema';
import { listAudit, parseTimeRange, recordAudit } from './audit';
import { adminCreateUser, adminResetPassword, adminSetDisabled, adminSetRole, changeOwnPassword, login } from './login';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './password';
import { SESSION_MAX_MS, SESSION_TTL_MS, createSession, deleteSession, readSession, sessionCookieOptions, tokenHash } from './sessions';
import { FREE_FAILURES, recordAttempt, reserveAttempt, settleAttempt, waitBeforeAttempt } from './throttle';
import { ensureInitialAdmin, findUser } from './users';

describe('password hashing', () => {
  it('hashes with scrypt and a fresh salt, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterz', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$0$8$1$AA$AA')).toBe(false);
  });

  it('has a policy and generates strong passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/repeated/);
    expect(passwordProblem('alice12345', 'ALICE12345')).toMatch(/user name/);
    expect(passwordProblem('a reasonable passphrase')).toBeNull();
    const g = generatePassword();
    expect(g).toHaveLength(24);
    expect(passwordProblem(g)).toBeNull();
  });
});

describe('sessions', () => {
  it('keeps only the token hash; expires; logout and disabling end it', async () => {
    const db = openCatalog(':memory:');
    const u = await adminCreateUser(db, { username: 'alice', role: 'operator', password: 'alice-password-1' });
    if (!u.ok) throw new Error(u.error);
    const user = findUser(db, 'alice');
    if (!user) throw new Error('no user');
    const t0 = 1_800_000_000_000;
    const s = createSession(db, { userId: user.id, address: '127.0.0.1', now: t0 });
    expect(db.$client.prepare('SELECT id FROM sessions').all()).toEqual([{ id: tokenHash(s.token) }]);
    expect(readSession(db, s.token, t0 + 1000)?.user.username).toBe('alice');
    expect(readSession(db, `${s.token}x`, t0 + 1000)).toBeNull();
    expect(readSession(db, s.token, t0 + SESSION_TTL_MS + 1)).toBeNull();
    // renewed when more than half is used up
    const renewed = readSession(db, s.token, t0 + SESSION_TTL_MS * 0.75);
    expect(renewed?.renewedUntil).toBe(t0 + SESSION_TTL_MS * 0.75 + SESSION_TTL_MS);
    expect(readSession(db, s.token, t0 + SESSION_TTL_MS + 1)).not.toBeNull();
    deleteSession(db, s.token);
    expect(readSession(db, s.token, t0 + 2000)).toBeNull();
    const s2 = createSession(db, { userId: user.id, address: null, now: t0 });
    expect(adminSetDisabled(db, { userId: String(user.id), disabled: 'true' })).toMatchObject({ ok: true });
    expect(readSession(db, s2.token, t0 + 1000)).toBeNull();
  });

  it('ends at the absolute maximum after sign-in, however often it was renewed', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    const admin = findUser(db, 'admin');
    if (!admin) throw new Error('no admin');
    const t0 = 1_800_000_000_000;
    const s = createSession(db, { userId: admin.id, address: '127.0.0.1', now: t0 });
    // used every 4 hours: renewed each time by 12 hours, never past the cap
    let last = t0;
    for (let t = t0 + 4 * 3_600_000; t < t0 + SESSION_MAX_MS; t += 4 * 3_600_000) {
      const r = readSession(db, s.token, t);
      expect(r, `still valid ${(t - t0) / 3_600_000} h after sign-in`).not.toBeNull();
      expect(r?.expiresAt).toBeLessThanOrEqual(t0 + SESSION_MAX_MS);
      last = t;
    }
    expect(last).toBeGreaterThan(t0 + SESSION_MAX_MS - 5 * 3_600_000);
    // the last renewal ends exactly at the cap, and the session ends there
    expect(readSession(db, s.token, t0 + SESSION_MAX_MS - 1)?.expiresAt).toBe(t0 + SESSION_MAX_MS);
    expect(readSession(db, s.token, t0 + SESSION_MAX_MS)).toBeNull();
    expect(readSession(db, s.token, t0 + SESSION_MAX_MS + SESSION_TTL_MS)).toBeNull();
    // idle expiry still applies before the cap
    const idle = createSession(db, { userId: admin.id, address: null, now: t0 });
    expect(readSession(db, idle.token, t0 + SESSION_TTL_MS - 1)).not.toBeNull();
    expect(readSession(db, idle.token, t0 + SESSION_TTL_MS - 1 + SESSION_TTL_MS + 1)).toBeNull();
  });

  it('sets the cookie httpOnly and SameSite=Lax, Secure only over HTTPS', () => {
    const at = 1_800_000_000_000;
    expect(sessionCookieOptions({ expiresAt: at, https: false })).toEqual({ httpOnly: true, sameSite: 'lax', secure: false, path: '/', expires: new Date(at) });
    expect(sessionCookieOptions({ expiresAt: at, https: true })).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true });
  });
});

describe('login', () => {
  it('creates the first admin once, who must change the password', async () => {
    const db = openCatalog(':memory:');
    const first = await ensureInitialAdmin(db, undefined);
    expect(first.created).toBe(true);
    expect(first.generated).toMatch(/^[\w-]{24}$/);
    expect(await ensureInitialAdmin(db, 'another-password')).toEqual({ created: false, generated: null });
    const r = await login(db, { username: 'admin', password: first.generated }, '127.0.0.1');
    expect(r.ok && r.user.mustChangePassword).toBe(true);
  });

  it('slows down repeated failures per user and per address, and audits every attempt', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    for (let i = 0; i < FREE_FAILURES; i++) {
      const r = await login(db, { username: 'admin', password: 'wrong-password' }, '10.0.0.1');
      expect(r).toMatchObject({ ok: false, error: 'Wrong user name or password.' });
    }
    // the sixth attempt is refused without checking the password, even the right one
    const blocked = await login(db, { username: 'admin', password: 'the-admin-password' }, '10.0.0.2');
    expect(blocked).toMatchObject({ ok: false, error: expect.stringMatching(/Too many failed attempts\. Try again in \d+ s/) });
    // per address too: another user name from the same address
    for (let i = 0; i < FREE_FAILURES; i++) recordAttempt(db, { username: `x${i}`, address: '10.0.0.9', ok: false });
    expect(waitBeforeAttempt(db, { username: 'nobody', address: '10.0.0.9' })).toBeGreaterThan(0);
    expect(waitBeforeAttempt(db, { username: 'nobody', address: '10.0.0.10' })).toBe(0);
    // the wait grows: 1 s after the 5th failure, 2 s after the 6th
    const t = Date.now();
    recordAttempt(db, { username: 'bob', address: 'a', ok: false, now: t });
    for (let i = 0; i < 5; i++) recordAttempt(db, { username: 'bob', address: 'a', ok: false, now: t });
    expect(waitBeforeAttempt(db, { username: 'bob', address: 'b', now: t })).toBe(2000);
    const audit = listAudit(db, { action: 'login' });
    expect(audit.filter((a) => a.outcome === 'failed')).toHaveLength(FREE_FAILURES);
    expect(audit.filter((a) => a.outcome === 'denied')).toHaveLength(1);
  });

  it('checks at most five of thirty simultaneous wrong passwords, per user and per address', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    // per user: thirty guesses for admin from thirty addresses, all started before the first one is hashed
    const perUser = await Promise.all(Array.from({ length: 30 }, (_, i) => login(db, { username: 'admin', password: `wrong-${i}` }, `10.1.0.${i}`)));
    const errors = (rs: typeof perUser) => rs.map((r) => (r.ok ? 'signed in' : r.error.replace(/\d+ s/, 'N s')));
    expect(errors(perUser).filter((e) => e === 'Wrong user name or password.')).toHaveLength(FREE_FAILURES);
    expect(errors(perUser).filter((e) => e === 'Too many failed attempts. Try again in N s.')).toHaveLength(30 - FREE_FAILURES);
    expect(listAudit(db, { action: 'login', outcome: 'failed' })).toHaveLength(FREE_FAILURES);
    expect(listAudit(db, { action: 'login', outcome: 'denied' })).toHaveLength(30 - FREE_FAILURES);
    // per address: thirty user names from one address
    const perAddress = await Promise.all(Array.from({ length: 30 }, (_, i) => login(db, { username: `guess${i}`, password: 'wrong-password' }, '10.2.0.1')));
    expect(errors(perAddress).filter((e) => e === 'Wrong user name or password.')).toHaveLength(FREE_FAILURES);
    expect(errors(perAddress).filter((e) => e.startsWith('Too many failed attempts'))).toHaveLength(30 - FREE_FAILURES);
    // a right password after the wait signs in and ends the run of failures
    const later = Date.now() + 2 * 60_000;
    expect(waitBeforeAttempt(db, { username: 'admin', address: '10.3.0.1', now: later })).toBe(0);
    const reserved = reserveAttempt(db, { username: 'admin', address: '10.3.0.1', now: later });
    expect(reserved.ok).toBe(true);
    if (reserved.ok) settleAttempt(db, { attemptId: reserved.attemptId, ok: true, now: later });
    expect(waitBeforeAttempt(db, { username: 'admin', address: '10.3.0.2', now: later + 1 })).toBe(0);
    expect(reserveAttempt(db, { username: 'admin', address: '10.3.0.2', now: later + 1 }).ok).toBe(true);
  });

  it('audits a sign-in whose password check broke as a failure, and keeps counting it', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    // a stored hash whose cost scrypt refuses (beyond its memory limit): the check throws
    db.update(users).set({ passwordHash: `scrypt$${2 ** 30}$8$1$AAAA$AAAA` }).where(eq(users.username, 'admin')).run();
    await expect(login(db, { username: 'admin', password: 'the-admin-password' }, '10.5.0.1')).rejects.toThrow(/memory/i);
    expect(listAudit(db, { action: 'login' }).map((a) => [a.outcome, a.detail?.startsWith('the password check failed')])).toEqual([['failed', true]]);
    expect(db.select().from(loginAttempts).all().map((a) => a.ok)).toEqual([false]);
  });

  it('counts the wait from when a failed check ended', () => {
    const db = openCatalog(':memory:');
    const t = 1_800_000_000_000;
    for (let i = 0; i < FREE_FAILURES; i++) {
      const r = reserveAttempt(db, { username: 'carol', address: '10.4.0.1', now: t });
      if (!r.ok) throw new Error('refused too early');
      settleAttempt(db, { attemptId: r.attemptId, ok: false, now: t + 300 });
    }
    expect(waitBeforeAttempt(db, { username: 'carol', address: '10.4.0.2', now: t + 1000 })).toBe(300);
    expect(reserveAttempt(db, { username: 'carol', address: '10.4.0.2', now: t + 1000 })).toEqual({ ok: false, waitMs: 300 });
    expect(reserveAttempt(db, { username: 'carol', address: '10.4.0.2', now: t + 1300 }).ok).toBe(true);
  });

  it('changes one\u2019s own password only with the current one, and ends other sessions', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    const a = await login(db, { username: 'admin', password: 'the-admin-password' }, '1');
    const b = await login(db, { username: 'admin', password: 'the-admin-password' }, '1');
    if (!a.ok || !b.ok) throw new Error('login failed');
    const me = { userId: a.user.id, username: 'admin', address: '1' };
    expect(await changeOwnPassword(db, me, { current: 'nope', password: 'a-new-password', confirm: 'a-new-password' }, a.token)).toMatchObject({ ok: false, fieldErrors: { current: ['is wrong'] } });
    expect(await changeOwnPassword(db, me, { current: 'the-admin-password', password: 'short', confirm: 'short' }, a.token)).toMatchObject({ ok: false, fieldErrors: { password: [expect.any(String)] } });
    expect(await changeOwnPassword(db, me, { current: 'the-admin-password', password: 'a-new-password', confirm: 'other' }, a.token)).toMatchObject({ ok: false, fieldErrors: { confirm: [expect.any(String)] } });
    expect(await changeOwnPassword(db, me, { current: 'the-admin-password', password: 'a-new-password', confirm: 'a-new-password' }, a.token)).toMatchObject({ ok: true });
    expect(readSession(db, a.token)?.user.mustChangePassword).toBe(false);
    expect(readSession(db, b.token)).toBeNull();
    expect((await login(db, { username: 'admin', password: 'a-new-password' }, '2')).ok).toBe(true);
  });

  it('counts wrong current passwords as failed sign-ins of the user: an open session cannot guess around the throttle', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    const a = await login(db, { username: 'admin', password: 'the-admin-password' }, '10.0.0.1');
    if (!a.ok) throw new Error('login failed');
    const me = { userId: a.user.id, username: 'admin', address: '10.0.0.1' };
    const change = (current: string) => changeOwnPassword(db, me, { current, password: 'a-new-password', confirm: 'a-new-password' }, a.token);
    for (let i = 0; i < FREE_FAILURES; i++) expect(await change(`guess-${i}`)).toMatchObject({ ok: false, fieldErrors: { current: ['is wrong'] } });
    // the next one waits, even with the right password, and so does a sign-in of the same user from elsewhere
    const refused = await change('the-admin-password');
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^Too many wrong passwords\. Try again in \d+ s\.$/) });
    expect((refused as { waitMs?: number }).waitMs).toBeGreaterThan(0);
    expect(await login(db, { username: 'admin', password: 'the-admin-password' }, '10.9.9.9')).toMatchObject({ ok: false, waitMs: expect.any(Number) });
    expect(findUser(db, 'admin')?.passwordHash).toBe(a.user.passwordHash);
  });

  it('keeps at least one enabled admin, and a reset password must be changed', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    const admin = findUser(db, 'admin');
    expect(adminSetRole(db, { userId: String(admin?.id), role: 'viewer' })).toMatchObject({ ok: false, error: expect.stringContaining('at least one enabled admin') });
    expect(adminSetDisabled(db, { userId: String(admin?.id), disabled: 'true' })).toMatchObject({ ok: false });
    const op = await adminCreateUser(db, { username: 'Olga', role: 'operator' });
    expect(op).toMatchObject({ ok: true, username: 'olga' });
    expect(await adminCreateUser(db, { username: 'olga', role: 'viewer' })).toMatchObject({ ok: false, fieldErrors: { username: ['already taken'] } });
    expect(await adminCreateUser(db, { username: '../root', role: 'viewer' })).toMatchObject({ ok: false, fieldErrors: { username: [expect.any(String)] } });
    expect(await adminCreateUser(db, { username: 'ivan', role: 'superuser' })).toMatchObject({ ok: false, fieldErrors: { role: [expect.any(String)] } });
    const olga = findUser(db, 'olga');
    const reset = await adminResetPassword(db, { userId: String(olga?.id) });
    if (!reset.ok) throw new Error(reset.error);
    const r = await login(db, { username: 'olga', password: reset.password }, '1');
    expect(r.ok && r.user.mustChangePassword).toBe(true);
  });
});

describe('user changes', () => {
  it('say for the audit log which user they concern and what changed', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    expect(await adminCreateUser(db, { username: 'Olga', role: 'operator', password: 'olga-first-password' })).toMatchObject({
      ok: true,
      audit: { target: 'user=olga', detail: 'created with the role operator and an initial password chosen by the admin, to be changed at first sign-in' },
    });
    expect(await adminCreateUser(db, { username: 'ivan', role: 'viewer' })).toMatchObject({ audit: { target: 'user=ivan', detail: expect.stringContaining('a generated initial password') } });
    const olga = findUser(db, 'olga');
    if (!olga) throw new Error('no olga');
    const id = String(olga.id);
    expect(adminSetRole(db, { userId: id, role: 'admin' })).toEqual({ ok: true, audit: { target: 'user=olga', detail: 'role operator -> admin' } });
    expect(adminSetRole(db, { userId: id, role: 'admin' })).toEqual({ ok: true, audit: { target: 'user=olga', detail: 'role stays admin' } });
    createSession(db, { userId: olga.id, address: null });
    createSession(db, { userId: olga.id, address: null });
    expect(adminSetDisabled(db, { userId: id, disabled: 'true' })).toEqual({ ok: true, audit: { target: 'user=olga', detail: 'disabled; 2 sessions ended' } });
    expect(adminSetDisabled(db, { userId: id, disabled: 'false' })).toEqual({ ok: true, audit: { target: 'user=olga', detail: 'enabled' } });
    expect(adminSetDisabled(db, { userId: id, disabled: 'false' })).toEqual({ ok: true, audit: { target: 'user=olga', detail: 'enabled (was already enabled)' } });
    expect(adminSetDisabled(db, { userId: id, disabled: 'maybe' })).toMatchObject({ ok: false, fieldErrors: { disabled: ['is "true" or "false"'] } });
    createSession(db, { userId: olga.id, address: null });
    expect(await adminResetPassword(db, { userId: id })).toMatchObject({
      ok: true,
      username: 'olga',
      audit: { target: 'user=olga', detail: 'password reset to a generated one, to be changed at next sign-in; 1 session ended' },
    });
    const keep = createSession(db, { userId: olga.id, address: null });
    createSession(db, { userId: olga.id, address: null });
    db.$client.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(await hashPassword('olga-own-password'), olga.id);
    expect(await changeOwnPassword(db, { userId: olga.id, username: 'olga', address: null }, { current: 'olga-own-password', password: 'olga-newer-password', confirm: 'olga-newer-password' }, keep.token)).toEqual({
      ok: true,
      audit: { target: 'user=olga', detail: 'changed their own password (as required); 1 other session ended' },
    });
  });
});

describe('audit log', () => {
  it('is append-only: the catalog refuses to change or remove an entry', () => {
    const db = openCatalog(':memory:');
    recordAudit(db, { username: 'admin', address: '127.0.0.1', action: 'restore.start', target: 'database=neo4j', outcome: 'ok' });
    expect(() => db.update(auditEvents).set({ outcome: 'failed' }).run()).toThrow(/append-only/);
    expect(() => db.delete(auditEvents).run()).toThrow(/append-only/);
    expect(listAudit(db, { action: 'restore' })).toHaveLength(1);
  });

  it('filters by a UTC time range typed in the page (whole days, minutes or seconds, inclusive)', () => {
    const db = openCatalog(':memory:');
    const at = (iso: string) => Date.parse(iso);
    for (const t of ['2026-05-01T09:59:59.999Z', '2026-05-01T10:00:00Z', '2026-05-01T10:30:59Z', '2026-05-01T23:59:59.999Z', '2026-05-02T00:00:00Z']) {
      recordAudit(db, { username: 'admin', address: null, action: 'login', outcome: 'ok', detail: t }, at(t));
    }
    const between = (from?: string, to?: string) => {
      const r = parseTimeRange({ from, to });
      if (r.error) throw new Error(r.error);
      return listAudit(db, { from: r.from, to: r.to }).map((e) => e.detail).reverse();
    };
    expect(between('2026-05-01T10:00', '2026-05-01T10:30')).toEqual(['2026-05-01T10:00:00Z', '2026-05-01T10:30:59Z']);
    expect(between('2026-05-01T10:00:00', '2026-05-01T10:30:58')).toEqual(['2026-05-01T10:00:00Z']);
    expect(between('2026-05-01', '2026-05-01')).toEqual(['2026-05-01T09:59:59.999Z', '2026-05-01T10:00:00Z', '2026-05-01T10:30:59Z', '2026-05-01T23:59:59.999Z']);
    expect(between('2026-05-01T23:00')).toEqual(['2026-05-01T23:59:59.999Z', '2026-05-02T00:00:00Z']);
    expect(between(undefined, '2026-05-01T09:59')).toEqual(['2026-05-01T09:59:59.999Z']);
    expect(between('', '')).toHaveLength(5);
    expect(parseTimeRange({ from: 'yesterday' }).error).toBe('From must be a UTC time like 2026-05-01T14:30 (got "yesterday")');
    expect(parseTimeRange({ to: '2026-02-30T10:00' }).error).toBe('To is not a real date and time ("2026-02-30T10:00")');
    expect(parseTimeRange({ to: '2026-05-01T24:00' }).error).toMatch(/^To is not a real date/);
    expect(parseTimeRange({ from: '2026-05-02', to: '2026-05-01' }).error).toBe('From must not be after To.');
  });
});

describe('the guard', () => {
  const caller = (role: 'viewer' | 'operator' | 'admin', mustChangePassword = false) => ({ userId: 1, username: 'u', role, address: '127.0.0.1', mustChangePassword });

  it('decides by role, and lets a user who must change the password do only that', async () => {
    const { decide } = await import('./guard');
    expect(decide(null, 'cluster.read')).toMatchObject({ ok: false, status: 401 });
    expect(decide(caller('viewer'), 'cluster.read').ok).toBe(true);
    expect(decide(caller('viewer'), 'backup.start')).toMatchObject({ ok: false, status: 403, error: expect.stringContaining('needs operator') });
    expect(decide(caller('operator'), 'backup.start').ok).toBe(true);
    expect(decide(caller('operator'), 'restore.start')).toMatchObject({ ok: false, status: 403 });
    expect(decide(caller('admin'), 'restore.start').ok).toBe(true);
    expect(decide(caller('admin', true), 'cluster.read')).toMatchObject({ ok: false, error: 'Change your password first.' });
    expect(decide(caller('admin', true), 'account.password').ok).toBe(true);
  });

  it('decides scraping by the scrape rule: the right bearer token, or loopback by the socket, never by role', async () => {
    const { decide, permissionsOf } = await import('./guard');
    const token = 'a-long-metrics-token-1234';
    const facts = (f: Partial<{ authorization: string | null; peer: string | null; client: string | null; token: string | undefined }>) => ({ authorization: null, peer: '10.0.0.5', client: '10.0.0.5', token, ...f });
    const ok = (f: Parameters<typeof facts>[0]) => decide(null, 'metrics.scrape', facts(f)).ok;
    // the token, from anywhere
    expect(ok({ authorization: `Bearer ${token}` })).toBe(true);
    expect(ok({ authorization: `bearer   ${token}` })).toBe(true);
    // a wrong token is refused even from loopback, and a token is no use when none is configured
    expect(decide(null, 'metrics.scrape', facts({ authorization: 'Bearer wrong-token-of-same-len', peer: '127.0.0.1', client: '127.0.0.1' }))).toMatchObject({ ok: false, status: 403, error: 'The metrics bearer token is wrong.' });
    expect(ok({ authorization: `Basic ${token}`, peer: '127.0.0.1', client: '127.0.0.1' })).toBe(false);
    expect(ok({ authorization: `Bearer ${token}`, token: undefined })).toBe(false);
    // no token: loopback sockets only, with or without a configured token
    expect(ok({ peer: '127.0.0.1', client: '127.0.0.1' })).toBe(true);
    expect(ok({ peer: '::1', client: '::1', token: undefined })).toBe(true);
    expect(decide(null, 'metrics.scrape', facts({}))).toMatchObject({ ok: false, status: 401, error: expect.stringContaining('this one is from 10.0.0.5') });
    // a loopback proxy forwarding a remote client (client is what the trusted proxy said) does not count as loopback
    expect(ok({ peer: '127.0.0.1', client: '203.0.113.9' })).toBe(false);
    // the hook not installed: no peer, no scraping
    expect(ok({ peer: null, client: null })).toBe(false);
    expect(decide(null, 'metrics.scrape')).toMatchObject({ ok: false, status: 403 });
    // signed-in users are not asked: no role may scrape, the page permissions say so
    expect(decide(caller('admin'), 'metrics.scrape', facts({})).ok).toBe(false);
    expect(permissionsOf('admin')['metrics.scrape']).toBe(false);
  });
});

/**
 * Nobody restores a database who should not: a viewer sees no backup or restore controls and a direct call of
 * the restore action is refused; an operator backs up but cannot restore; neither sees a way to restore (nav,
 * database page, opened artifact); an admin restores; each leaves the expected audit entries (starts, how the
 * jobs ended, user changes); repeated wrong passwords are slowed down, per user and per connection, whatever
 * X-Forwarded-For says; the session cookie is httpOnly and SameSite=Lax, and signing out ends the session;
 * no page opens without signing in; /api/metrics answers loopback scrapers only.
 *
 * The "direct call" replays the admin's own restore request (its server-action ID and body, captured from the
 * wizard) with the viewer's and the operator's sessions, as a hostile client would.
 */
import { expect, test, type APIRequestContext, type Browser, type Page, type Request } from '@playwright/test';
import { DatabasePage } from './pages/database-page';
import { RestoreWizardPage } from './pages/restore-wizard-page';
import { contextAs, failedSignIn, signIn, type SignInAnswer } from './support/users';

const suffix = Date.now().toString(36).slice(-5);
const VIEWER = { name: `vera${suffix}`, first: 'vera-first-password', password: 'vera-own-password' };
const OPERATOR = { name: `otto${suffix}`, first: 'otto-first-password', password: 'otto-own-password' };
const RESTORED = `roles-${suffix}`;

test.describe.configure({ mode: 'serial' });

async function createUser(page: Page, u: { name: string; first: string }, role: 'viewer' | 'operator'): Promise<void> {
  await page.goto('/admin/users');
  const form = page.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('User name').fill(u.name);
  await form.getByLabel('Role').selectOption(role);
  await form.getByLabel(/Initial password/).fill(u.first);
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByTestId(`user-${u.name}`)).toContainText(role);
}

async function jobs(request: APIRequestContext, query: string): Promise<Array<{ id: number; kind: string; status: string; database: string; createdBy: string | null }>> {
  const res = await request.get(`/api/jobs?${query}`);
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { jobs: Array<{ id: number; kind: string; status: string; database: string; createdBy: string | null }> }).jobs;
}

type AuditRow = { action: string; outcome: string; user: string; address: string; target: string };

async function auditEntries(page: Page, query: string): Promise<AuditRow[]> {
  await page.goto(`/admin/audit?${query}`);
  return page.getByTestId('audit-row').evaluateAll((rows) =>
    rows.map((r) => ({
      action: r.getAttribute('data-action') ?? '',
      outcome: r.getAttribute('data-outcome') ?? '',
      user: r.getAttribute('data-user') ?? '',
      address: r.getAttribute('data-address') ?? '',
      target: r.getAttribute('data-target') ?? '',
    })),
  );
}

/** The entries' IDs and outcomes (newer entries have higher IDs). */
async function auditOutcomes(page: Page, query: string): Promise<Array<{ id: number; outcome: string }>> {
  await page.goto(`/admin/audit?${query}`);
  return page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => ({ id: Number(r.getAttribute('data-id')), outcome: r.getAttribute('data-outcome') ?? '' })));
}

async function auditRows(page: Page, query: string): Promise<Array<{ action: string; outcome: string; user: string }>> {
  return (await auditEntries(page, query)).map(({ action, outcome, user }) => ({ action, outcome, user }));
}

/** Whether a page offers any way into a restore: the nav item, the database page's link, an artifact's "Restore to here". */
async function restoreWays(page: Page): Promise<{ nav: number; databaseLink: number; toHere: number }> {
  const db = new DatabasePage(page, 'neo4j');
  await db.goto();
  await expect(db.timeline).toBeVisible();
  const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Restore' }).count();
  const databaseLink = await page.getByRole('link', { name: /^Restore neo4j/ }).count();
  await db.timeline.locator('[data-testid="artifact-bar"]').first().click();
  await expect(db.details).toBeVisible();
  const toHere = await db.details.getByText('Restore to here').count();
  return { nav, databaseLink, toHere };
}

/** Replays a captured server-action request with another session. Returns the response text. */
async function replay(page: Page, captured: Request): Promise<string> {
  const h = captured.headers();
  const headers: Record<string, string> = {};
  for (const k of ['next-action', 'next-router-state-tree', 'content-type', 'accept']) if (h[k]) headers[k] = h[k];
  const res = await page.request.post(captured.url(), { headers, data: captured.postDataBuffer() ?? Buffer.alloc(0) });
  return res.text();
}

let viewer: { page: Page; close: () => Promise<void> };
let operator: { page: Page; close: () => Promise<void> };
let adminRestore: Request;

async function signedIn(browser: Browser, u: { name: string; first: string; password: string }) {
  const { context, page } = await contextAs(browser, u.name, u.first, u.password);
  return { page, close: () => context.close() };
}

test('without signing in, every page leads to the login page and the API answers 401', async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  for (const p of ['/', '/databases', '/databases/neo4j', '/restore', '/jobs', '/jobs/1', '/cluster', '/settings', '/admin/users', '/admin/audit', '/account']) {
    await page.goto(p);
    await expect(page, `${p} must redirect to the login page`).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(p).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  }
  for (const api of ['/api/cluster', '/api/jobs', '/api/lag?cluster=1&database=neo4j', '/api/databases/neo4j/timeline', '/api/overview']) {
    const res = await page.request.get(api);
    expect(res.status(), api).toBe(401);
    expect(await res.json(), api).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } });
  }
  await context.close();
});

test('the admin creates a viewer and an operator, who must change their first password', async ({ page, browser }) => {
  await createUser(page, VIEWER, 'viewer');
  await createUser(page, OPERATOR, 'operator');
  viewer = await signedIn(browser, VIEWER);
  operator = await signedIn(browser, OPERATOR);
  await expect(viewer.page.getByTestId('signed-in-as')).toContainText(`${VIEWER.name} (viewer)`);
  // the session cookie: not readable by scripts, not sent on cross-site subrequests, not Secure over plain HTTP
  const cookie = (await viewer.page.context().cookies()).find((c) => c.name === 'txline_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
  expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 11 * 3600);
  expect(cookie?.expires ?? Infinity).toBeLessThanOrEqual(Date.now() / 1000 + 12 * 3600 + 60);
});

test('an operator backs up from the overview', async ({ request }) => {
  const page = operator.page;
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Back up neo4j' });
  await form.getByLabel('Backup type').selectOption('full');
  await form.getByRole('button', { name: 'Back up now' }).click();
  await expect
    .poll(async () => (await jobs(request, 'database=neo4j')).find((j) => j.kind === 'backup' && j.createdBy === OPERATOR.name)?.status, { timeout: 90_000 })
    .toBe('succeeded');
  // Users and audit are not for operators.
  await page.goto('/admin/users');
  await expect(page.getByText(/Your role \(operator\) may not do this/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
});

test('only the admin sees a way to restore', async ({ page }) => {
  expect(await restoreWays(page)).toEqual({ nav: 1, databaseLink: 1, toHere: 1 });
  expect(await restoreWays(operator.page)).toEqual({ nav: 0, databaseLink: 0, toHere: 0 });
  expect(await restoreWays(viewer.page)).toEqual({ nav: 0, databaseLink: 0, toHere: 0 });
  await viewer.page.screenshot({ path: test.info().outputPath('viewer-database.png'), fullPage: true });
});

test('an admin restores through the wizard', async ({ page, request }) => {
  // The steps before the start check the choices with the preview action; note its ID, so that the start
  // request is told apart from a background check of the same choices that is in flight at the same moment.
  const previewActions = new Set<string>();
  const noteAction = (r: Request) => {
    const id = r.headers()['next-action'];
    if (r.method() === 'POST' && id) previewActions.add(id);
  };
  page.on('request', noteAction);
  const wizard = new RestoreWizardPage(page);
  await wizard.goto({ database: 'neo4j' });
  await wizard.pointChoice('The latest backup').check();
  await wizard.next.click();
  await wizard.targetChoice('A new database').check();
  await wizard.newName.fill(RESTORED);
  await wizard.next.click();
  await expect(wizard.reviewTarget).toContainText(RESTORED);
  page.off('request', noteAction);
  expect(previewActions.size).toBe(1);
  const captured = page.waitForRequest((r) => {
    const id = r.headers()['next-action'];
    return r.method() === 'POST' && Boolean(id) && !previewActions.has(id) && (r.postData() ?? '').includes(RESTORED);
  }, { timeout: 30_000 });
  await wizard.startButton.click();
  adminRestore = await captured;
  await expect(wizard.outcome).toBeVisible({ timeout: 120_000 });
  await expect(wizard.resultValue('result-content-hash')).toHaveText(/^[0-9a-f]{64}$/);
  const done = (await jobs(request, `database=${RESTORED}`)).filter((j) => j.kind === 'restore');
  expect(done.map((j) => j.status)).toEqual(['succeeded']);
});

test('a viewer sees no backup or restore controls, and a direct call of the restore action is refused', async ({ request }) => {
  const page = viewer.page;
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Back up now' })).toHaveCount(0);
  await expect(page.getByText('Backups need the operator role.').first()).toBeVisible();
  await page.goto('/restore');
  await expect(page.getByText(/needs the admin role/)).toBeVisible();
  await expect(page.getByTestId('restore-wizard')).toHaveCount(0);
  const before = (await jobs(request, 'limit=500')).length;
  const answer = await replay(page, adminRestore);
  expect(answer).toContain(`Your role (viewer) may not do this (restore.start needs admin)`);
  expect((await jobs(request, 'limit=500')).length).toBe(before);
});

test('an operator cannot restore either', async ({ request }) => {
  const page = operator.page;
  await page.goto('/restore');
  await expect(page.getByText(/needs the admin role/)).toBeVisible();
  const before = (await jobs(request, 'limit=500')).length;
  const answer = await replay(page, adminRestore);
  expect(answer).toContain(`Your role (operator) may not do this (restore.start needs admin)`);
  expect((await jobs(request, 'limit=500')).length).toBe(before);
});

test('the audit log holds each of them', async ({ page }) => {
  const restores = await auditRows(page, 'action=restore.start');
  expect(restores).toEqual(
    expect.arrayContaining([
      { action: 'restore.start', outcome: 'ok', user: 'admin' },
      { action: 'restore.start', outcome: 'denied', user: VIEWER.name },
      { action: 'restore.start', outcome: 'denied', user: OPERATOR.name },
    ]),
  );
  expect(await auditRows(page, `action=backup.start&user=${OPERATOR.name}`)).toEqual([{ action: 'backup.start', outcome: 'ok', user: OPERATOR.name }]);
  // how the jobs ended, for the users who started them
  const backupJob = (await jobs(page.request, 'database=neo4j')).find((j) => j.kind === 'backup' && j.createdBy === OPERATOR.name);
  expect(await auditEntries(page, `action=backup.succeeded&user=${OPERATOR.name}`)).toEqual([
    { action: 'backup.succeeded', outcome: 'ok', user: OPERATOR.name, address: '', target: `jobId=${backupJob?.id} database=neo4j` },
  ]);
  const restoreJob = (await jobs(page.request, `database=${RESTORED}`)).find((j) => j.kind === 'restore');
  expect(await auditEntries(page, `action=restore.succeeded&user=admin`)).toContainEqual({ action: 'restore.succeeded', outcome: 'ok', user: 'admin', address: '', target: `jobId=${restoreJob?.id} database=${RESTORED}` });
  const logins = await auditRows(page, `action=login&user=${VIEWER.name}`);
  expect(logins).toContainEqual({ action: 'login', outcome: 'ok', user: VIEWER.name });
  // user changes are their own actions, naming the user
  const created = await auditEntries(page, 'action=users.create');
  for (const [u, role] of [[VIEWER.name, 'viewer'], [OPERATOR.name, 'operator']]) {
    expect(created).toContainEqual({ action: 'users.create', outcome: 'ok', user: 'admin', address: '127.0.0.1', target: `user=${u}` });
    await expect(page.getByTestId('audit-row').filter({ hasText: `user=${u}` })).toContainText(`created with the role ${role}`);
  }
  // the time filter: the last minute holds the restore, a range long ago holds nothing
  const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  expect(await auditRows(page, `action=restore.start&from=${minute(Date.now() - 10 * 60_000)}&to=${minute(Date.now())}`)).toContainEqual({ action: 'restore.start', outcome: 'ok', user: 'admin' });
  expect(await auditRows(page, 'from=2001-01-01T00:00&to=2001-01-02T00:00')).toEqual([]);
  await page.goto('/admin/audit?from=2001-02-30T00:00');
  await expect(page.getByRole('alert').filter({ hasText: /^From / })).toHaveText('From is not a real date and time ("2001-02-30T00:00")');
  await page.goto('/admin/audit');
  await expect(page.getByTestId('audit-table')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('audit.png'), fullPage: true });
});

test('wrong passwords from one connection are slowed down whatever X-Forwarded-For claims, and audited with the real address', async ({ browser, page }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const login = await context.newPage();
  // a new user name each time, each from a different "address" the client made up: the connection is the same,
  // so after five failures it has to wait (1 s, then 2 s, 4 s...) and an attempt in the wait is refused (how
  // many more failures land before one falls in the wait depends on the machine's speed)
  const answers: SignInAnswer[] = [];
  for (let i = 0; i < 15 && !answers.some((a) => a.kind === 'throttled'); i++) {
    const forged = `203.0.113.${i + 1}`;
    await context.setExtraHTTPHeaders({ 'x-forwarded-for': forged, 'x-real-ip': forged, 'x-txline-peer-address': forged });
    answers.push(await failedSignIn(login, `guess${suffix}${i}`, 'not-the-password'));
  }
  const said = answers.map((a) => a.text).join(' | ');
  expect(answers.every((a) => a.kind !== 'other'), said).toBe(true);
  const wrong = answers.filter((a) => a.kind === 'wrong').length;
  expect(answers.at(-1)?.kind, said).toBe('throttled');
  expect(wrong, said).toBeGreaterThanOrEqual(5);
  const guesses = (await auditEntries(page, 'action=login&outcome=failed')).filter((r) => r.user.startsWith(`guess${suffix}`));
  expect(guesses).toHaveLength(wrong);
  expect(new Set(guesses.map((r) => r.address))).toEqual(new Set(['127.0.0.1']));
  const denied = (await auditEntries(page, 'action=login&outcome=denied')).filter((r) => r.user.startsWith(`guess${suffix}`));
  expect(denied.map((r) => r.address)).toEqual(['127.0.0.1']);
  // after the wait, the right password signs in (and ends the connection's run of failures)
  await expect(async () => {
    await signIn(login, VIEWER.name, VIEWER.password);
    await expect(login).toHaveURL(/\/$/, { timeout: 2000 });
  }).toPass({ timeout: ((answers.at(-1)?.waitSeconds ?? 0) + 30) * 1000 });
  await context.close();
});

test('signing out ends the session: the old cookie opens nothing', async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await signIn(page, VIEWER.name, VIEWER.password);
  await expect(page).toHaveURL(/\/$/);
  const cookie = (await context.cookies()).find((c) => c.name === 'txline_session');
  expect(cookie?.value).toBeTruthy();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  expect((await context.cookies()).find((c) => c.name === 'txline_session')).toBeUndefined();
  // a client that kept the cookie gets nothing with it
  const replay = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  if (cookie) await replay.addCookies([cookie]);
  const again = await replay.newPage();
  await again.goto('/jobs');
  await expect(again).toHaveURL(/\/login\?next=%2Fjobs$/);
  expect((await again.request.get('/api/jobs')).status()).toBe(401);
  await replay.close();
  await context.close();
});

test('/api/metrics: loopback scrapes without a session, a forged address or a token does not change that', async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const res = await context.request.get('/api/metrics');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toMatch(/^text\/plain/);
  const body = await res.text();
  expect(body).toMatch(/^txline_jobs\{kind="backup",status="succeeded"\} [1-9]\d*$/m);
  expect(body).toMatch(/^txline_last_backup_age_seconds\{folder="default",database="neo4j"\} \d/m);
  expect(body).toMatch(/^txline_member_replication_lag\{cluster="embedded",member="[^"]+",database="neo4j"\} \d+$/m);
  // X-Forwarded-For plays no part: the socket is loopback
  expect((await context.request.get('/api/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status()).toBe(200);
  // no token is configured here: a presented one is refused
  expect((await context.request.get('/api/metrics', { headers: { authorization: 'Bearer some-token-of-some-length' } })).status()).toBe(403);
  await context.close();
});

test('a wrong password five times is slowed down, then the right one works again', async ({ browser, page }) => {
  // a slow machine needs more failures (and so longer waits) before the wait outlasts an attempt
  test.setTimeout(240_000);
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const login = await context.newPage();
  // the newest entry before this test: the refusals of the test before are not this test's
  const before = Math.max(0, ...(await auditOutcomes(page, '')).map((r) => r.id));
  // Five free failures; after them each failure makes the next attempt wait 1 s, 2 s, 4 s... and an attempt
  // in the wait is refused unchecked. Each answer is read from the server's reply to that very request. Go on
  // until a refusal leaves enough of the wait for the right password, tried next, to fall in it: at least twice
  // the slowest attempt so far plus a second. How many failures that takes depends on how fast this machine
  // answers (each failure after the fifth doubles the wait), which the test does not assume.
  const answers: SignInAnswer[] = [];
  const longEnough = (a: SignInAnswer | undefined) => a?.kind === 'throttled' && (a.waitSeconds - 1) * 1000 >= 2 * Math.max(...answers.map((x) => x.ms)) + 500;
  for (let i = 0; i < 40 && !longEnough(answers.at(-1)); i++) {
    // A refusal that leaves too short a wait: let the wait pass, so that the next wrong password is checked and
    // doubles it (trying on inside the wait only collects refusals: on a slow machine 40 tries had not reached
    // a wait long enough).
    const last = answers.at(-1);
    if (last?.kind === 'throttled') await login.waitForTimeout(last.waitSeconds * 1000);
    answers.push(await failedSignIn(login, VIEWER.name, 'not-the-password'));
  }
  const said = answers.map((a) => a.text).join(' | ');
  expect(answers.every((a) => a.kind !== 'other'), said).toBe(true);
  expect(answers.slice(0, 5).map((a) => a.kind), said).toEqual(Array(5).fill('wrong'));
  expect(answers.at(-1), said).toMatchObject({ kind: 'throttled', waitSeconds: expect.any(Number) });
  // In the wait the right password is refused too: it is not even checked.
  const inTheWait = await failedSignIn(login, VIEWER.name, VIEWER.password);
  expect(inTheWait.kind, `${said} | ${inTheWait.text}`).toBe('throttled');
  await expect(login).toHaveURL(/\/login/);
  // After the wait, the right password signs in (a delay, not a lock-out). Each refused try is counted, for the
  // audit's tally below.
  let refusedAfter = 0;
  const wait = answers.at(-1)?.waitSeconds ?? 0;
  await expect(async () => {
    await signIn(login, VIEWER.name, VIEWER.password);
    const refused = login.getByRole('alert').filter({ hasText: /Too many failed attempts/ });
    await expect(login.getByRole('heading', { level: 1, name: 'Overview' }).or(refused)).toBeVisible();
    if (await refused.isVisible()) {
      refusedAfter++;
      throw new Error('still in the wait');
    }
  }).toPass({ intervals: [1000], timeout: (wait + 15) * 1000 });
  await expect(login).toHaveURL(/\/$/);
  // Every answer has its audit entry: one `failed` per wrong password, one `denied` per refusal.
  const mine = async (outcome: string) => (await auditOutcomes(page, `action=login&user=${VIEWER.name}&outcome=${outcome}`)).filter((r) => r.id > before).length;
  const wrong = answers.filter((a) => a.kind === 'wrong').length;
  const refusals = answers.filter((a) => a.kind === 'throttled').length + 1 + refusedAfter;
  expect(await mine('failed'), said).toBe(wrong);
  expect(await mine('denied'), said).toBe(refusals);
  await context.close();
  await viewer.close();
  await operator.close();
});

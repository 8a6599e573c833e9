/**
 * Nobody restores a database who should not: a viewer sees no backup or restore controls and a direct call of
 * the restore action is refused; an operator backs up but cannot restore; an admin restores; each leaves the
 * expected audit entries; repeated wrong passwords are slowed down; no page opens without signing in.
 *
 * The "direct call" replays the admin's own restore request (its server-action ID and body, captured from the
 * wizard) with the viewer's and the operator's sessions, as a hostile client would.
 */
import { expect, test, type APIRequestContext, type Browser, type Page, type Request } from '@playwright/test';
import { RestoreWizardPage } from './pages/restore-wizard-page';
import { contextAs, signIn } from './support/users';

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

async function auditRows(page: Page, query: string): Promise<Array<{ action: string; outcome: string; user: string }>> {
  await page.goto(`/admin/audit?${query}`);
  return page.getByTestId('audit-row').evaluateAll((rows) =>
    rows.map((r) => ({ action: r.getAttribute('data-action') ?? '', outcome: r.getAttribute('data-outcome') ?? '', user: r.getAttribute('data-user') ?? '' })),
  );
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
  for (const api of ['/api/cluster', '/api/jobs', '/api/lag?cluster=1&database=neo4j', '/api/databases/neo4j/timeline']) {
    const res = await page.request.get(api);
    expect(res.status(), api).toBe(401);
  }
  await context.close();
});

test('the admin creates a viewer and an operator, who must change their first password', async ({ page, browser }) => {
  await createUser(page, VIEWER, 'viewer');
  await createUser(page, OPERATOR, 'operator');
  viewer = await signedIn(browser, VIEWER);
  operator = await signedIn(browser, OPERATOR);
  await expect(viewer.page.getByTestId('signed-in-as')).toContainText(`${VIEWER.name} (viewer)`);
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

test('an admin restores through the wizard', async ({ page, request }) => {
  const wizard = new RestoreWizardPage(page);
  await wizard.goto({ database: 'neo4j' });
  await wizard.pointChoice('The latest backup').check();
  await wizard.next.click();
  await wizard.targetChoice('A new database').check();
  await wizard.newName.fill(RESTORED);
  await wizard.next.click();
  await expect(wizard.reviewTarget).toContainText(RESTORED);
  const captured = page.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action']) && (r.postData() ?? '').includes(RESTORED), { timeout: 30_000 });
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
  const logins = await auditRows(page, `action=login&user=${VIEWER.name}`);
  expect(logins).toContainEqual({ action: 'login', outcome: 'ok', user: VIEWER.name });
  expect(await auditRows(page, `action=users.write`)).toEqual(expect.arrayContaining([{ action: 'users.write', outcome: 'ok', user: 'admin' }]));
  await page.goto('/admin/audit');
  await expect(page.getByTestId('audit-table')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('audit.png'), fullPage: true });
});

test('a wrong password five times is slowed down, then the right one works again', async ({ browser, page }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const login = await context.newPage();
  for (let i = 0; i < 5; i++) {
    await signIn(login, VIEWER.name, 'not-the-password');
    await expect(login.getByRole('alert').filter({ hasText: /Wrong user name or password/ })).toBeVisible();
  }
  // The sixth attempt is refused before the password is even checked, the right password included.
  await signIn(login, VIEWER.name, VIEWER.password);
  await expect(login.getByRole('alert').filter({ hasText: /Too many failed attempts\. Try again in \d+ s/ })).toBeVisible();
  await expect(login).toHaveURL(/\/login/);
  // After the wait, the right password signs in (a delay, not a lock-out).
  await expect(async () => {
    await signIn(login, VIEWER.name, VIEWER.password);
    await expect(login).toHaveURL(/\/$/, { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  const rows = await auditRows(page, `action=login&user=${VIEWER.name}`);
  expect(rows.filter((r) => r.outcome === 'failed').length).toBeGreaterThanOrEqual(5);
  expect(rows.filter((r) => r.outcome === 'denied').length).toBeGreaterThanOrEqual(1);
  await context.close();
  await viewer.close();
  await operator.close();
});

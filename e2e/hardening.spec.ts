/**
 * Hostile requests a browser or a script can make to the dashboard: a sign-in whose `next` points off the site
 * (through the sign-in page's own URL, and by editing the form's hidden field) ends on this site, with no
 * request to another host and no server error; a cross-site form post and a server action call from another
 * Origin get 403 JSON; a server action call whose body is not a React reply and a path with malformed
 * percent-encoding get 400 JSON.
 *
 * The sign-ins are a fresh user's (created here by the admin), all with the right password: a failed sign-in
 * would count against the throttle that other tests measure.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { contextAs, signIn } from './support/users';

const suffix = Date.now().toString(36).slice(-5);
const USER = { name: `hana${suffix}`, first: 'hana-first-password', password: 'hana-own-password' };

/** `next` values that a browser would follow off the site (or that failed the sign-in with a 500). */
const HOSTILE = [
  '/\t/evil.example',
  '/\n/evil.example',
  '//evil.example',
  '/\\evil.example',
  '/%2F%2Fevil.example',
  '/%5Cevil.example',
  '/%09/evil.example',
  '/..//evil.example',
  'https://evil.example/',
  'javascript:alert(document.domain)',
];

test.describe.configure({ mode: 'serial' });

let loginActionId = '';

/** A signed-out browser that records every request to another host (and aborts it) and every server error. */
async function watchedContext(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page; offSite: string[]; serverErrors: string[]; dialogs: string[] }> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const site = new URL(baseURL).host;
  const offSite: string[] = [];
  const serverErrors: string[] = [];
  const dialogs: string[] = [];
  await context.route(
    (url) => url.host !== site,
    (route) => {
      offSite.push(route.request().url());
      return route.abort();
    },
  );
  const page = await context.newPage();
  page.on('response', (r) => {
    if (r.status() >= 500) serverErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { context, page, offSite, serverErrors, dialogs };
}

async function fillAndSubmit(page: Page): Promise<void> {
  await page.getByLabel('User name').fill(USER.name);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an admin creates the user who signs in below, who sets a password', async ({ page, browser }) => {
  await page.goto('/admin/users');
  const form = page.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('User name').fill(USER.name);
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByLabel(/Initial password/).fill(USER.first);
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByTestId(`user-${USER.name}`)).toContainText('viewer');

  const { context } = await contextAs(browser, USER.name, USER.first, USER.password);
  await context.close();

  // the sign-in form's server action, for the direct calls below
  const probe = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const p = await probe.newPage();
  const posted = p.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/login');
  await signIn(p, USER.name, USER.password);
  loginActionId = (await posted).headers()['next-action'] ?? '';
  await expect(p.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await probe.close();
  expect(loginActionId).toMatch(/^[0-9a-f]{40,}$/);
});

for (const next of HOSTILE) {
  test(`signing in with next=${JSON.stringify(next)} stays on the site`, async ({ browser, baseURL }) => {
    const origin = new URL(baseURL ?? '').origin;
    for (const how of ['in the URL', 'in the hidden field'] as const) {
      const { context, page, offSite, serverErrors, dialogs } = await watchedContext(browser, origin);
      if (how === 'in the URL') {
        await page.goto(`/login?next=${encodeURIComponent(next)}`);
      } else {
        // what a hostile page cannot do but a hostile client can: send the action any `next` it likes
        await page.goto('/login');
        await page.locator('input[type="hidden"][name="next"]').evaluate((el, v) => ((el as HTMLInputElement).value = v), next);
      }
      await fillAndSubmit(page);
      await page.waitForURL((u) => u.pathname !== '/login', { timeout: 15_000 });
      await expect(page.getByRole('heading', { level: 1, name: 'Overview' }), how).toBeVisible();
      expect(new URL(page.url()).origin, how).toBe(origin);
      expect(new URL(page.url()).pathname, how).toBe('/');
      expect(offSite, `${how}: requests to other hosts`).toEqual([]);
      expect(serverErrors, `${how}: server errors`).toEqual([]);
      expect(dialogs, `${how}: script ran`).toEqual([]);
      await context.close();
    }
  });
}

test('signing in with a path of the site as next keeps it, query string included', async ({ browser, baseURL }) => {
  const { context, page, offSite } = await watchedContext(browser, baseURL ?? '');
  await page.goto(`/login?next=${encodeURIComponent('/jobs?status=running')}`);
  await fillAndSubmit(page);
  await page.waitForURL((u) => u.pathname === '/jobs');
  expect(new URL(page.url()).search).toBe('?status=running');
  expect(offSite).toEqual([]);
  await context.close();
});

test("a page of another site posting a form to the dashboard gets 403 JSON, and the dashboard's own sign-in still works", async ({ browser, baseURL }) => {
  const origin = new URL(baseURL ?? '').origin;
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  // the hostile page, served by the browser's router as if from evil.example
  await context.route('http://evil.example/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<form method="post" enctype="multipart/form-data" action="${origin}/login">
        <input name="$ACTION_ID_${loginActionId}" value=""><input name="username" value="${USER.name}"><input name="password" value="${USER.password}">
        <button>go</button></form>`,
    }),
  );
  const page = await context.newPage();
  await page.goto('http://evil.example/');
  const answered = page.waitForResponse((r) => r.url() === `${origin}/login` && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'go' }).click();
  const res = await answered;
  expect((await res.request().allHeaders())['origin']).toBe('http://evil.example');
  expect(res.status()).toBe(403);
  expect(await res.json()).toEqual({ code: 'FORBIDDEN', message: `cross-origin POST refused: the Origin "http://evil.example" is not this site ("${new URL(origin).host}")` });
  // nothing was signed in by it
  expect((await context.cookies(origin)).map((c) => c.name)).toEqual([]);
  await context.close();
});

test('direct server action calls: another Origin gets 403, a body that is not a React reply 400, both JSON', async ({ playwright, baseURL }) => {
  const origin = new URL(baseURL ?? '').origin;
  const api = await playwright.request.newContext({ baseURL: origin });
  const call = (headers: Record<string, string>, data: string) =>
    api.post('/login', { headers: { 'next-action': loginActionId, 'content-type': 'text/plain;charset=UTF-8', ...headers }, data });

  const foreign = await call({ origin: 'http://evil.example' }, '[null,"$K1"]');
  expect(foreign.status()).toBe(403);
  expect(foreign.headers()['content-type']).toMatch(/^application\/json/);
  expect(await foreign.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/^cross-origin POST refused: the Origin "http:\/\/evil\.example" is not this site/) });

  const opaque = await call({ origin: 'null' }, '[null,"$K1"]');
  expect(opaque.status()).toBe(403);
  expect(await opaque.json()).toMatchObject({ code: 'FORBIDDEN' });

  for (const body of ['hello, not a reply', '["$K1"', '']) {
    const bad = await call({ origin }, body);
    expect(bad.status(), body).toBe(400);
    expect(await bad.json(), body).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^server action call refused: the body .* is neither JSON nor form data/) });
  }
  const badForm = await api.post('/login', { headers: { 'next-action': loginActionId, origin }, multipart: { '0': 'garbage{', '1_username': USER.name } });
  expect(badForm.status()).toBe(400);
  expect(await badForm.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/root part "garbage\{" is not JSON/) });

  // a well-formed call from the site itself still reaches the action (which refuses the empty form in its own words)
  const good = await call({ origin }, '[null,"$K1"]');
  expect(good.status()).toBe(200);
  expect(await good.text()).toContain('Enter your user name and password.');
  await api.dispose();
});

test('a path with malformed percent-encoding gets 400 JSON, signed in or not, on API routes and pages', async ({ request, playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const [who, api] of [
    ['signed in', request],
    ['signed out', anonymous],
  ] as const) {
    for (const path of ['/api/databases/%E0%A4%A/timeline', '/api/jobs/%E0%A4%A', '/databases/%E0%A4%A', '/jobs/%zz']) {
      const res = await api.get(path, { maxRedirects: 0 });
      expect(res.status(), `${who} ${path}`).toBe(400);
      // API routes answer as every route handler does: { error: { code, message } } (docs/errors.md)
      const refusal = { code: 'BAD_REQUEST', message: `the path "${path}" has malformed percent-encoding` };
      expect(await res.json(), `${who} ${path}`).toEqual(path.startsWith('/api/') ? { error: refusal } : refusal);
    }
  }
  // the same route with a well-formed name answers as before
  const ok = await request.get('/api/databases/neo4j/timeline');
  expect(ok.status()).toBe(200);
  await anonymous.dispose();
});

/**
 * Who the e2e tests are: the first admin (TXLINE_ADMIN_PASSWORD given to the server by playwright.config.ts,
 * changed at first sign-in by auth.setup.ts), and helpers to sign in as any user in a fresh browser context.
 */
import { expect, type Browser, type BrowserContext, type Page, type Route } from '@playwright/test';

export const INITIAL_ADMIN_PASSWORD = 'e2e-initial-admin-password';
export const ADMIN_PASSWORD = 'e2e-admin-password-changed';
export const ADMIN_STATE = 'playwright/.auth/admin.json';

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export type SignInAnswer = { kind: 'wrong' | 'throttled' | 'other'; text: string; waitSeconds: number; ms: number };

/**
 * One sign-in attempt with a password expected to be refused, read from the server's own answer to this
 * request (not from whatever alert happens to be on the page), then checked against what the page shows.
 * Stays on the sign-in page when it is already there (as a person would); `ms` is how long the attempt took.
 */
export async function failedSignIn(page: Page, username: string, password: string): Promise<SignInAnswer> {
  const started = Date.now();
  if (new URL(page.url()).pathname !== '/login') await page.goto('/login');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  // The answer is taken on its way to the page (Chromium may drop a streamed reply's body once it is consumed).
  let answer: ((body: string) => void) | undefined;
  const answered = new Promise<string>((resolve) => (answer = resolve));
  const take = async (route: Route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    const response = await route.fetch();
    const text = await response.text();
    answer?.(text);
    await route.fulfill({ response, body: text });
  };
  await page.route('**/login*', take);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const body = await answered;
  const message = /Too many failed attempts\. Try again in (\d+) s\.|Wrong user name or password\./.exec(body);
  if (message) await expect(page.getByRole('alert').filter({ hasText: message[0] })).toBeVisible();
  await page.unroute('**/login*', take);
  const ms = Date.now() - started;
  if (!message) return { kind: 'other', text: body.slice(0, 300), waitSeconds: 0, ms };
  return { kind: message[1] ? 'throttled' : 'wrong', text: message[0], waitSeconds: Number(message[1] ?? 0), ms };
}

/** Changes the password on /account (what a user who must change it lands on). */
export async function changePassword(page: Page, current: string, next: string): Promise<void> {
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password (at least 10 characters)').fill(next);
  await page.getByLabel('New password again').fill(next);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();
}

/** A new browser context signed in as `username` (whose first password must be changed to `password`). */
export async function contextAs(browser: Browser, username: string, firstPassword: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await signIn(page, username, firstPassword);
  await page.waitForURL(/\/account\?required=1/);
  await changePassword(page, firstPassword, password);
  return { context, page };
}

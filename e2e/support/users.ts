/**
 * Who the e2e tests are: the first admin (TXLINE_ADMIN_PASSWORD given to the server by playwright.config.ts,
 * changed at first sign-in by auth.setup.ts), and helpers to sign in as any user in a fresh browser context.
 */
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const INITIAL_ADMIN_PASSWORD = 'e2e-initial-admin-password';
export const ADMIN_PASSWORD = 'e2e-admin-password-changed';
export const ADMIN_STATE = 'playwright/.auth/admin.json';

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
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

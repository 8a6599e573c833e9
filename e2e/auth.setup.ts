/**
 * Runs before the other e2e tests: the first admin signs in with the password the server was given, must
 * change it, and the signed-in browser state is saved for every other test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test as setup } from '@playwright/test';
import { ADMIN_PASSWORD, ADMIN_STATE, INITIAL_ADMIN_PASSWORD, changePassword, signIn } from './support/users';

setup('the first admin signs in and changes the password', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F/);
  await signIn(page, 'admin', INITIAL_ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/account\?required=1/);
  await expect(page.getByText('You must change your password')).toBeVisible();
  // Until it is changed, nothing else opens.
  await page.goto('/jobs');
  await expect(page).toHaveURL(/\/account\?required=1/);
  await changePassword(page, INITIAL_ADMIN_PASSWORD, ADMIN_PASSWORD);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  fs.mkdirSync(path.dirname(ADMIN_STATE), { recursive: true });
  await page.context().storageState({ path: ADMIN_STATE });
});

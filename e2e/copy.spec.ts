/**
 * Words and badges a DBA reads at a glance (issue 17, defects 7 and 11): the signed-in user is named once
 * when the name is the role, "no backups" looks more urgent than "unverified", the audit log's time filters
 * take UTC in 24-hour text (not the browser's mm/dd/yyyy 12-hour picker), and the cluster tables' headers
 * stay on one line.
 */
import { expect, test } from '@playwright/test';
import { ClusterPage } from './pages/cluster-page';
import { OverviewPage } from './pages/overview-page';

test('the header names admin once, and a database without backups has a red badge', async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(page.getByTestId('signed-in-as')).toHaveText('admin');
  // every card without backups says so in red (the bad tone), never in neutral grey
  const none = page.locator('[data-testid="chain-health"][data-health="none"] > span');
  await expect(none.first()).toBeVisible();
  for (const badge of await none.all()) await expect(badge).toHaveClass(/bg-red-50/);
  await expect(page.getByTestId('no-backups').first()).toContainText(/No backups of \S+ yet in the backup folder “[^”]+”/);
});

test('the audit log filters by UTC times typed in 24-hour form', async ({ page }) => {
  await page.goto('/admin/audit');
  const from = page.getByRole('textbox', { name: 'From (UTC)' });
  const to = page.getByRole('textbox', { name: 'To (UTC)' });
  await expect(from).toHaveAttribute('type', 'text');
  await expect(from).toHaveAttribute('placeholder', 'YYYY-MM-DD HH:MM:SS');
  await expect(from).toHaveAccessibleDescription(/UTC, 24-hour/);
  const today = new Date().toISOString().slice(0, 10);
  await from.fill(`${today} 00:00:00`);
  await to.fill(`${today} 23:59:59`);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/from=\d{4}-\d\d-\d\d\+00%3A00%3A00/);
  // the sign-in of this run is today
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  await expect(from).toHaveValue(`${today} 00:00:00`);
  // an afternoon hour in 24-hour form is taken as such
  await from.fill(`${today} 23:59:58`);
  await to.fill(`${today} 13:00`);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('From must not be after To.')).toBeVisible();
});

test('the cluster tables keep their headers on one line', async ({ page }) => {
  for (const url of ['/', '/cluster']) {
    await page.goto(url);
    const headers = url === '/' ? new OverviewPage(page).members.first().locator('xpath=ancestor::table//thead//th') : new ClusterPage(page).memberRows.first().locator('xpath=ancestor::table//thead//th');
    await expect(headers.first()).toBeVisible();
    for (const th of await headers.all()) {
      const lines = await th.evaluate((el) => {
        const s = getComputedStyle(el);
        return Math.round((el as HTMLElement).getBoundingClientRect().height / parseFloat(s.lineHeight === 'normal' ? String(parseFloat(s.fontSize) * 1.2) : s.lineHeight));
      });
      expect(lines, `${url}: header "${await th.innerText()}" wraps`).toBeLessThanOrEqual(2); // one line plus its padding
    }
  }
});

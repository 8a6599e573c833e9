/**
 * A screenshot of every page, attached to the report (test-results/<test>/<page>.png), each taken once the
 * page shows its data (its heading and its main widget, not a skeleton): overview, databases, a database with
 * its timeline, the restore wizard, jobs, a job, cluster, settings, users, audit log and the account page.
 * The wizard's six steps are in restore-wizard.spec.ts.
 */
import { expect, test, type Locator, type Page, type TestInfo } from '@playwright/test';
import { DatabasePage } from './pages/database-page';

async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: 'image/png' });
}

/** Opens a page, waits for its heading and for what it is about, and keeps a screenshot of it. */
async function capture(page: Page, info: TestInfo, name: string, url: string, heading: string | RegExp, ready: (page: Page) => Locator): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  await expect(ready(page).first()).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
  await shot(page, info, name);
}

test('every page, with its data', async ({ page }, info) => {
  test.setTimeout(240_000);
  // A job of its own, so the job page has one to show: a full backup of system from its page.
  const system = new DatabasePage(page, 'system');
  await system.goto();
  const started = await system.startBackup('Full');
  const jobId = (await started.getAttribute('data-job-id')) as string;
  await expect(system.jobRow(jobId)).toHaveAttribute('data-status', 'succeeded', { timeout: 120_000 });

  await capture(page, info, 'overview', '/', 'Overview', (p) => p.getByTestId('member'));
  // every UTC time has the viewer's local time on hover: ages ("3 min ago") too
  await expect(page.getByTestId('last-full').locator('time').first()).toHaveAttribute('title', /UTC\nlocal time: /);
  await expect(page.locator('time[datetime]').first()).toHaveAttribute('title', /./);
  await capture(page, info, 'databases', '/databases', 'Databases', (p) => p.getByRole('link', { name: 'neo4j', exact: true }));
  await capture(page, info, 'database', '/databases/system', 'system', (p) => p.getByTestId('artifact-bar'));
  // nothing was ever committed to system: its full covers no transaction, and still shows as a bar to click
  const full = page.getByTestId('artifact-bar').first();
  await expect(full).toHaveAttribute('aria-label', /^full backup system-.*, transactions none \(the database was empty\),/);
  expect((await full.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(6);
  // the timeline's generation headers, on hover, in local time
  await expect(page.getByTestId('generation-title').first().locator('title')).toHaveText(/local time: /);
  await capture(page, info, 'restore', '/restore', 'Restore', (p) => p.getByTestId('restore-wizard'));
  await capture(page, info, 'jobs', '/jobs', 'Jobs', (p) => p.getByTestId('job-row'));
  await capture(page, info, 'job', `/jobs/${jobId}`, new RegExp(`#${jobId}`), (p) => p.getByTestId('job-detail'));
  await capture(page, info, 'cluster', '/cluster', 'Cluster', (p) => p.getByTestId('lag-legend-item'));
  await capture(page, info, 'settings', '/settings', 'Settings', (p) => p.getByTestId('cluster-item'));
  await capture(page, info, 'users', '/admin/users', 'Users', (p) => p.getByText('admin'));
  await capture(page, info, 'audit', '/admin/audit', 'Audit log', (p) => p.getByRole('table'));
  await capture(page, info, 'account', '/account', 'Your account', (p) => p.getByLabel('Current password'));
  for (const name of ['overview', 'databases', 'database', 'restore', 'jobs', 'job', 'cluster', 'settings', 'users', 'audit', 'account']) {
    expect(info.attachments.map((a) => a.name)).toContain(name);
  }
});

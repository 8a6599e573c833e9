/**
 * Schedules in the browser: an admin adds a schedule of neo4j on the database page (a bad cron, backup or
 * drill, is refused under its field), sees its next run times (the drill cron's too), sees the server run it (the last scheduled run appears, by
 * "schedule"), and removes it; a viewer reads a schedule and its next run with nothing to change.
 */
import { expect, test } from '@playwright/test';
import { contextAs } from './support/users';

test('sets a schedule in the UI, sees its next run, and the server runs it', async ({ page }) => {
  await page.goto('/databases/neo4j');
  const section = page.getByTestId('schedules');
  await expect(section.getByRole('heading', { name: 'Schedules' })).toBeVisible();
  await section.getByText('Add a schedule').click();
  const form = section.getByRole('form', { name: 'Add a schedule' });
  await form.getByLabel('Database or glob').fill('neo4j');
  await form.getByLabel('Full backups (cron)').fill('0 25 * * *');
  await form.getByLabel('Differential backups (cron)').fill('');
  await form.getByRole('button', { name: 'Save schedule' }).click();
  await expect(form.getByTestId('field-error-fullCron')).toContainText('Invalid value for hour');

  await form.getByLabel('Full backups (cron)').fill('');
  await form.getByLabel('Differential backups (cron)').fill('*/5 * * * * *');
  // the restore drills' cron: daily at 03:30 unless changed; checked as the others
  await expect(form.getByLabel('Restore drills (cron)')).toHaveValue('30 3 * * *');
  await form.getByLabel('Restore drills (cron)').fill('every day');
  await form.getByRole('button', { name: 'Save schedule' }).click();
  await expect(form.getByTestId('field-error-drillCron')).toContainText('is not a cron expression');
  // (React resets a form's fields to their defaults after its action: fill them again)
  await form.getByLabel('Full backups (cron)').fill('');
  await form.getByLabel('Differential backups (cron)').fill('*/5 * * * * *');
  await form.getByLabel('Restore drills (cron)').fill('0 4 * * *');
  await form.getByRole('button', { name: 'Save schedule' }).click();
  await expect(form.getByTestId('schedule-saved')).toContainText(/Next differential \d{4}-\d\d-\d\d \d\d:\d\d:\d[05] UTC/);
  await expect(form.getByTestId('schedule-saved')).toContainText(/Next restore drill \d{4}-\d\d-\d\d 04:00:00 UTC/);
  const row = section.locator('[data-testid="schedule-row"][data-glob="neo4j"]');
  await expect(row.getByTestId('next-diff')).toHaveText(/^next \d{4}-\d\d-\d\d \d\d:\d\d:\d[05] UTC$/);
  await expect(row).toContainText('*/5 * * * * *');
  await expect(row).toContainText('0 4 * * *');
  await expect(row.getByTestId('next-drill')).toHaveText(/^next \d{4}-\d\d-\d\d 04:00:00 UTC$/);

  // the server's scheduler runs it as a job by schedule
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('schedule-last-run')).toContainText(/Last scheduled run: job #\d+/, { timeout: 2000 });
  }).toPass({ timeout: 45_000 });
  const jobs = (await (await page.request.get('/api/jobs?database=neo4j')).json()) as { jobs: Array<{ createdBy: string | null; kind: string }> };
  expect(jobs.jobs.some((j) => j.kind === 'backup' && j.createdBy === 'schedule')).toBe(true);

  await page.getByTestId('schedules').getByRole('button', { name: 'Remove the schedule of neo4j' }).click();
  await expect(page.locator('[data-testid="schedule-row"][data-glob="neo4j"]')).toHaveCount(0);
});

test('a viewer reads the schedules and their next runs, with nothing to change', async ({ page, browser }) => {
  // a user created, signed in with a password change, two pages as two users: 56 s at a load of 20–30
  test.setTimeout(180_000);
  const suffix = Date.now().toString(36).slice(-5);
  const viewer = { name: `vic${suffix}`, first: 'vic-first-password', password: 'vic-own-password' };
  await page.goto('/admin/users');
  const create = page.getByRole('form', { name: 'Create a user' });
  await create.getByLabel('User name').fill(viewer.name);
  await create.getByLabel('Role').selectOption('viewer');
  await create.getByLabel(/Initial password/).fill(viewer.first);
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByTestId(`user-${viewer.name}`)).toContainText('viewer');

  await page.goto('/databases/neo4j');
  await page.getByTestId('schedules').getByText('Add a schedule').click();
  const form = page.getByTestId('schedules').getByRole('form', { name: 'Add a schedule' });
  await form.getByLabel('Database or glob').fill('n*');
  await form.getByLabel('Full backups (cron)').fill('0 3 * * *');
  await form.getByLabel('Differential backups (cron)').fill('');
  await form.getByLabel('Time zone').fill('Europe/Berlin');
  await form.getByRole('button', { name: 'Save schedule' }).click();
  await expect(form.getByTestId('schedule-saved')).toContainText(/Next full backup \d{4}-\d\d-\d\d 0[12]:00:00 UTC/);

  const { context, page: vp } = await contextAs(browser, viewer.name, viewer.first, viewer.password);
  try {
    await vp.goto('/databases/neo4j');
    const row = vp.locator('[data-testid="schedule-row"][data-glob="n*"]');
    await expect(row.getByTestId('next-full')).toHaveText(/^next \d{4}-\d\d-\d\d 0[12]:00:00 UTC$/);
    await expect(row).toContainText('Europe/Berlin');
    await expect(vp.getByTestId('schedules')).toContainText('Editing schedules needs the operator role.');
    await expect(vp.getByTestId('schedule-form')).toHaveCount(0);
    await expect(row.getByRole('button', { name: /Remove/ })).toHaveCount(0);
  } finally {
    await context.close();
  }

  await page.getByTestId('schedules').getByRole('button', { name: 'Remove the schedule of n*' }).click();
  await expect(page.locator('[data-testid="schedule-row"][data-glob="n*"]')).toHaveCount(0);
});

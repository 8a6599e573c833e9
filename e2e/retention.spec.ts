/**
 * Retention policies in the browser: an admin takes two full backups of neo4j, opens "Set a retention
 * policy", sees the preview (how many artifacts and bytes it deletes, each artifact with its reason, the
 * restorable range that remains), saves it (a prune job starts), sees it listed and `neo4j-latest` named; an
 * operator sees the policy and nothing to save. The policy is removed at the end (later specs back up neo4j).
 */
import { expect, test, type Locator } from '@playwright/test';
import { DatabasePage } from './pages/database-page';
import { contextAs } from './support/users';

const JOB_TIMEOUT = 90_000;

async function succeeded(job: Locator): Promise<void> {
  await expect(job).toHaveAttribute('data-status', /^(succeeded|failed|cancelled|interrupted)$/, { timeout: JOB_TIMEOUT });
  expect(await job.getAttribute('data-status'), await job.innerText()).toBe('succeeded');
}

test('an admin previews a retention policy, saves it and sees it listed; an operator cannot save one', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const db = new DatabasePage(page, 'neo4j');
  await db.goto();
  await succeeded(await db.startBackup('Full'));
  await db.goto();
  await succeeded(await db.startBackup('Full'));

  await db.goto();
  const section = page.getByTestId('retention');
  await expect(section.getByRole('heading', { name: 'Retention' })).toBeVisible();
  // <db>-latest: the newest restorable backup, by name
  await expect(section.getByTestId('latest').first()).toContainText('neo4j-latest in default');
  await expect(section.getByTestId('latest-file').first()).toHaveText(/^neo4j-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d.*\.backup$/);

  await section.getByText('Set a retention policy').click();
  const form = section.getByRole('form', { name: 'Set a retention policy' });
  // nothing given: refused under the first field
  await form.getByRole('button', { name: 'Preview' }).click();
  await expect(form.getByTestId('field-error-keepFull')).toContainText('give at least one');
  await form.getByLabel('Keep full chains').fill('0');
  await form.getByRole('button', { name: 'Preview' }).click();
  await expect(form.getByTestId('field-error-keepFull')).toContainText('a whole number from 1');
  await expect(form.getByRole('button', { name: 'Save and apply policy' })).toHaveCount(0);

  await form.getByLabel('Keep full chains').fill('1');
  await form.getByRole('button', { name: 'Preview' }).click();
  const summary = form.getByTestId('retention-summary');
  await expect(summary).toHaveText(/^This will delete (\d+) artifacts?, [\d.,]+ (B|KiB|MiB|GiB); restorable range becomes tx [\d,]+(–[\d,]+)?\.$/);
  const count = Number(/delete (\d+)/.exec(await summary.innerText())?.[1]);
  expect(count).toBeGreaterThanOrEqual(1); // at least the older of the two fulls
  const rows = form.getByTestId('retention-deletion');
  await expect(rows).toHaveCount(count);
  await expect(rows.first()).toContainText(/chain \d+ of \d+ beyond --keep-full=1/);
  await expect(form.getByTestId('retention-preview')).toContainText('txline backup prune --from-path=');

  // a changed value takes the preview (and Save) away until it is previewed again
  await form.getByLabel('Keep days').fill('3');
  await expect(form.getByTestId('retention-preview')).toHaveCount(0);
  await form.getByLabel('Keep days').fill('');
  await form.getByRole('button', { name: 'Preview' }).click();
  await expect(summary).toContainText(`This will delete ${count} artifact`);

  await form.getByRole('button', { name: 'Save and apply policy' }).click();
  await expect(form.getByTestId('retention-saved')).toContainText(/Saved\. Applying it now: job #\d+/);
  const row = section.locator('[data-testid="retention-row"][data-folder="default"][data-database="neo4j"]');
  await expect(row.getByTestId('retention-rules')).toHaveText('--keep-full=1');
  await expect(row).toContainText('admin');

  // the prune job ends; the deletions are in the audit log
  await expect
    .poll(async () => {
      const r = (await (await page.request.get('/api/jobs?database=neo4j')).json()) as { jobs: Array<{ kind: string; status: string }> };
      return r.jobs.find((j) => j.kind === 'prune')?.status;
    }, { timeout: JOB_TIMEOUT })
    .toBe('succeeded');
  await page.goto('/admin/audit');
  await expect(page.getByText('retention.set').first()).toBeVisible();

  // an operator sees the policy and cannot set one
  const suffix = Date.now().toString(36).slice(-5);
  const operator = { name: `opr${suffix}`, first: 'opr-first-password', password: 'opr-own-password' };
  await page.goto('/admin/users');
  const create = page.getByRole('form', { name: 'Create a user' });
  await create.getByLabel('User name').fill(operator.name);
  await create.getByLabel('Role').selectOption('operator');
  await create.getByLabel(/Initial password/).fill(operator.first);
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByTestId(`user-${operator.name}`)).toContainText('operator');
  const { context, page: op } = await contextAs(browser, operator.name, operator.first, operator.password);
  try {
    await op.goto('/databases/neo4j');
    const theirs = op.getByTestId('retention');
    await expect(theirs.locator('[data-testid="retention-row"][data-database="neo4j"]').getByTestId('retention-rules')).toHaveText('--keep-full=1');
    await expect(theirs).toContainText('Setting a retention policy needs the admin role');
    await expect(theirs.getByTestId('retention-form')).toHaveCount(0);
    await expect(theirs.getByRole('button', { name: /Remove the retention policy/ })).toHaveCount(0);
  } finally {
    await context.close();
  }

  await db.goto();
  await page.getByTestId('retention').getByRole('button', { name: 'Remove the retention policy of neo4j in default' }).click();
  await expect(page.locator('[data-testid="retention-row"][data-database="neo4j"]')).toHaveCount(0);
});

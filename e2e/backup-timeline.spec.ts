/**
 * Backups from the browser, seen on the chain timeline: a full of neo4j from the overview's "Back up now",
 * then, once the workload has written more, a differential from the database page that starts right after
 * the full's last transaction; with a window smaller than the history, both stay reachable (Older/Newer,
 * Go to a file or a transaction). Other specs share the server and its backup folder, so every artifact is
 * found by the file name its job reports, never by position.
 */
import { expect, test, type Locator, type TestInfo, type Page } from '@playwright/test';
import { DatabasePage } from './pages/database-page';
import { OverviewPage } from './pages/overview-page';

const JOB_TIMEOUT = 120_000;

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Waits (through the page's own polling) until the job has succeeded; answers the artifact it wrote. */
async function succeeded(job: Locator): Promise<string> {
  await expect(job, 'the backup job should succeed').toHaveAttribute('data-status', /^(succeeded|failed|cancelled|interrupted)$/, { timeout: JOB_TIMEOUT });
  const status = await job.getAttribute('data-status');
  expect(status, `job ended ${status}: ${await job.innerText()}`).toBe('succeeded');
  const file = await job.getAttribute('data-artifact');
  expect(file).toMatch(/^neo4j-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}.*\.backup$/);
  return file as string;
}

test('a full and then a differential of neo4j, taken from the UI, line up on the timeline', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.heading).toBeVisible();
  await expect(overview.members).toHaveCount(3);
  const card = overview.databaseCard('neo4j');
  await expect(card).toBeVisible();

  // 1. A full from the overview: pending, then the job followed live until it has written its artifact.
  const fullJob = await overview.backUpNow('neo4j', 'full');
  await expect(fullJob.getByRole('link', { name: /backup job #\d+/ })).toBeVisible();
  // the type chosen stays chosen after the click (React 19 resets a form after its action), and the job says it
  await expect(card.getByLabel('Backup type')).toHaveValue('full');
  await expect(fullJob.getByTestId('backup-type')).toHaveText('full');
  const fullFile = await succeeded(fullJob);
  await expect(fullJob).toContainText(`Wrote a full backup ${fullFile}`);
  // the card is refreshed when the job ends: its last full is the new one, and the chain can be restored
  await expect(card.getByTestId('last-full')).toHaveAttribute('data-file', fullFile);
  await expect(card.getByTestId('restorable-range')).toBeVisible();
  await shot(page, testInfo, 'overview');

  // 2. The full on the database page's timeline: a bar over 1..tip.
  await card.getByRole('link', { name: 'neo4j', exact: true }).click();
  const db = new DatabasePage(page, 'neo4j');
  await expect(db.heading).toBeVisible();
  await expect(db.bar(fullFile)).toBeVisible();
  const full = await db.barInfo(fullFile);
  expect(full).toMatchObject({ type: 'full', fromTx: 1, lowestTx: 1 });
  expect(full.toTx).toBe(full.highestTx);
  expect(full.toTx).toBeGreaterThan(0);

  // hover shows its metadata; a click opens it
  await db.bar(fullFile).hover();
  await expect(db.tooltip).toContainText(fullFile);
  await expect(db.tooltip).toContainText('full');
  await db.bar(fullFile).click();
  await expect(db.details).toHaveAttribute('data-file', fullFile);
  await expect(db.details.getByRole('link', { name: 'Restore to here' })).toHaveAttribute('href', new RegExp(`/restore\\?database=neo4j&folder=\\d+&artifact=${full.id}$`));

  // 3. Let the workload write well past the full (the source may be the lagging secondary).
  await expect
    .poll(() => db.writerLastTx(), { message: `the writer should move past the full's tip ${full.toTx}`, timeout: 60_000, intervals: [500] })
    .toBeGreaterThan(full.toTx + 25);

  // 4. A differential from the database page's form, followed in the recent jobs until it has finished.
  const diffJob = await db.startBackup('Differential');
  await expect(db.backupForm.getByRole('radio', { name: 'Differential', exact: true })).toBeChecked();
  await expect(diffJob.getByTestId('backup-type')).toHaveText('differential');
  const jobId = await diffJob.getAttribute('data-job-id');
  const row = db.jobRow(jobId as string);
  await expect(row).toBeVisible();
  const diffFile = await succeeded(row);
  expect(diffFile).not.toBe(fullFile);

  // 5. The timeline is refreshed when the job ends: the differential follows the full without a gap.
  await expect(db.bar(diffFile)).toBeVisible();
  const diff = await db.barInfo(diffFile);
  expect(diff.type).toBe('diff');
  expect(diff.parentId).toBe(full.id);
  expect(diff.lowestTx).toBe(full.highestTx + 1);
  expect(diff.fromTx).toBe(full.toTx + 1);
  expect(diff.highestTx).toBeGreaterThan(diff.lowestTx);

  // opened from the keyboard: its details name the same range and its chain goes back to the full
  await db.bar(diffFile).focus();
  await page.keyboard.press('Enter');
  await expect(db.details).toHaveAttribute('data-file', diffFile);
  await expect(db.details.getByTestId('lowest-highest')).toHaveText(`${(full.highestTx + 1).toLocaleString('en-US')} / ${diff.highestTx.toLocaleString('en-US')}`);
  await expect(db.details.getByTestId('artifact-chain').getByRole('listitem')).toHaveText([new RegExp(fullFile), new RegExp(diffFile)]);
  await shot(page, testInfo, 'database');

  // the time axis shows the same bars
  await page.getByRole('button', { name: 'Time (UTC)' }).click();
  await expect(db.timeline).toHaveAttribute('data-axis', 'time');
  await expect(db.bar(diffFile)).toBeVisible();
  await shot(page, testInfo, 'database-time-axis');

  // 6. With more backups than a window holds (here a window of one, as thousands would be with 400), every
  // backup stays reachable: Older/Newer, the strip of windows, and Go to a file name or a transaction.
  await db.goto('?size=1');
  const count = page.getByTestId('timeline-count');
  const total = Number(await count.getAttribute('data-total'));
  expect(total).toBeGreaterThanOrEqual(2);
  await expect(count).toContainText(`Showing artifacts ${total.toLocaleString('en-US')}–${total.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} (the newest)`);
  await expect(page.getByTestId('timeline-window')).toHaveCount(total);
  await expect(page.getByTestId('timeline-window').last()).toHaveAttribute('aria-current', 'page');
  await expect(db.bar(diffFile)).toBeVisible();
  await page.getByRole('link', { name: '← Older' }).click();
  await expect(db.bar(fullFile)).toBeVisible();
  await expect(db.bar(diffFile)).toHaveCount(0);
  await page.getByRole('link', { name: 'Newer →' }).click();
  await expect(db.bar(diffFile)).toBeVisible();
  // Go to a file: its window, and the backup opened
  await page.getByRole('textbox', { name: 'Go to', exact: true }).fill(fullFile);
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(db.details).toHaveAttribute('data-file', fullFile);
  await expect(db.bar(fullFile)).toBeVisible();
  // Go to a transaction the differential holds
  await page.getByRole('textbox', { name: 'Go to', exact: true }).fill(String(diff.highestTx));
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(db.details).toHaveAttribute('data-file', diffFile);
  await shot(page, testInfo, 'database-windowed');
  // its chain starts in an earlier window: one link opens the full there
  await db.details.getByTestId('chain-root-link').click();
  await expect(db.details).toHaveAttribute('data-file', fullFile);
  await expect(db.bar(fullFile)).toBeVisible();
  // something that is none of them says so
  await page.getByRole('textbox', { name: 'Go to', exact: true }).fill('next tuesday');
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(page.getByTestId('timeline-go-problem')).toContainText('is neither a transaction ID');

  // 7. Deleting the differential (nothing depends on it) runs as a job: asked first, followed live, and once it
  // is done and its folder indexed again, the page no longer shows its bar; the full stays.
  await db.goto();
  await db.bar(diffFile).click();
  await expect(db.details).toHaveAttribute('data-file', diffFile);
  await db.details.getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this backup?' });
  await expect(dialog).toContainText(`${diffFile} is deleted. No other backup depends on it.`);
  await dialog.getByRole('button', { name: 'Delete 1 file' }).click();
  const deleteJob = page.getByTestId('delete-result').getByTestId('started-job');
  await expect(deleteJob.getByRole('link', { name: /delete job #\d+/ })).toBeVisible();
  await expect(deleteJob).toHaveAttribute('data-done', 'true', { timeout: JOB_TIMEOUT });
  await expect(deleteJob).toHaveAttribute('data-status', 'succeeded');
  await expect(db.bar(diffFile)).toHaveCount(0);
  await expect(db.bar(fullFile)).toBeVisible();
});

/**
 * An `s3://bucket/prefix` storage location in Settings, against the s3rver that playwright.config.ts starts
 * (bucket `e2e-backups`, reached through the app's AWS environment): "Test connection" says it connected, the
 * location is added and listed as S3 with its URL; a location in a bucket that does not exist shows the error
 * naming it, and is not added.
 */
import { expect, test } from '@playwright/test';
import { SettingsPage } from './pages/settings-page';

test('an s3:// location: test connection, add it; a wrong bucket shows the error naming the location', async ({ page }, testInfo) => {
  const settings = new SettingsPage(page);
  await settings.goto();
  const form = settings.folderForm;
  const name = `e2e-s3-${Date.now()}`;
  const url = `s3://e2e-backups/${name}`;

  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Path').fill(`${url}/`);
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByTestId('form-status')).toContainText(`Connected to ${url}: listed 0 backups, wrote and deleted a test object.`);
  await expect(form.getByLabel('Path')).toHaveValue(`${url}/`); // what was typed stays to add it

  await form.getByRole('button', { name: 'Add folder' }).click();
  await expect(form.getByTestId('form-status')).toContainText(`Folder ${name} added`);
  await expect(settings.folder(name)).toBeVisible();
  await expect(settings.folder(name).getByTestId('folder-path')).toHaveText(url);
  await expect(settings.folder(name)).toContainText('S3');
  await expect(settings.folder(name).getByTestId('folder-scan')).toContainText('last scanned');
  await expect(settings.folder(name).getByTestId('folder-scan-error')).toHaveCount(0);

  const wrong = 's3://no-such-bucket-e2e/backups';
  await form.getByLabel('Name').fill(`${name}-wrong`);
  await form.getByLabel('Path').fill(wrong);
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByTestId('form-status')).toContainText(`${wrong}: the bucket does not exist (NoSuchBucket) at http://127.0.0.1:`);
  await form.getByRole('button', { name: 'Add folder' }).click();
  await expect(form.getByTestId('field-error-path')).toContainText(`${wrong}: the bucket does not exist (NoSuchBucket)`);
  await expect(settings.folder(`${name}-wrong`)).toHaveCount(0);
  const file = testInfo.outputPath('settings-s3-wrong-bucket.png');
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach('settings-s3-wrong-bucket', { path: file, contentType: 'image/png' });

  // removed again, so other specs see the folders they expect
  await settings.folder(name).getByRole('button', { name: `Remove folder ${name}` }).click();
  await expect(settings.confirmDialog).toContainText('stay in the bucket');
  await settings.confirmDialog.getByRole('button', { name: 'Remove folder' }).click();
  await expect(settings.folder(name)).toHaveCount(0);
});

/**
 * The embedded cluster watched as a Neo4j cluster (issue 12): an admin registers it on Settings as kind neo4j
 * (member 1's Bolt address, the Bolt password from the cluster's data folder, the stand-in neo4j-admin the
 * server allows), sees its servers and their lag on the Cluster page, backs up its database from the database
 * page of the cluster's location (a job running `txline database backup --cluster`), sees the artifact on the
 * timeline (listed by neo4j-admin backup inspect), and restores it as a new database by seeding.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SettingsPage } from './pages/settings-page';
import { e2eDataDir } from './support/server';

const STANDIN = path.resolve('tests/fixtures/neo4j-admin/neo4j-admin.mjs');

test('register the embedded cluster as Neo4j, watch it, back up, see the artifact, restore by seeding', async ({ page }) => {
  test.setTimeout(240_000);
  const dataDir = e2eDataDir();
  const clusterDir = path.join(dataDir, 'cluster');
  const info = JSON.parse(fs.readFileSync(path.join(clusterDir, 'cluster.json'), 'utf8')) as { members: Array<{ id: string; address: string; boltAddress?: string }> };
  const bolt = info.members[0].boltAddress;
  if (!bolt) throw new Error('member 1 serves no Bolt');
  const password = fs.readFileSync(path.join(clusterDir, 'bolt-password'), 'utf8').trim();
  const name = `neo-${Date.now().toString(36)}`;

  const settings = new SettingsPage(page);
  await settings.goto();
  const form = page.getByRole('form', { name: 'Add a Neo4j cluster' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Bolt URI').fill(`neo4j://${bolt}`);
  await form.getByLabel('User').fill('neo4j');
  await form.getByLabel('Password').fill(password);
  await expect(form.getByLabel('neo4j-admin')).toHaveValue(STANDIN);
  await form.getByLabel('Backup from (optional)').fill(info.members.map((m) => m.address).join(', '));
  await form.getByLabel('Location').fill(path.join(dataDir, 'backups', name));
  await form.getByRole('button', { name: 'Add Neo4j cluster' }).click();
  await expect(form.getByTestId('form-status')).toContainText(`Neo4j cluster ${name} added`);
  // the same members registered twice: removed again whatever happens, so that later specs see one cluster
  try {
    // the password field is never filled in again, and the page carries no password
    await expect(form.getByLabel('Password')).toHaveValue('');
    expect(await page.content()).not.toContain(password);

    // its servers and their lag, as SHOW DATABASES gives them
    await page.goto('/cluster');
    const clusterSelect = page.getByLabel('Cluster', { exact: true });
    const option = clusterSelect.locator('option', { hasText: name });
    await clusterSelect.selectOption((await option.getAttribute('value')) ?? '');
    await expect(page.getByTestId('member-row')).toHaveCount(info.members.length, { timeout: 20_000 });
    await expect(page.getByTestId('lag-chart')).toBeVisible();

    // the database page of the cluster's location: back up (no member to choose: neo4j-admin's --backup-from)
    await page.goto('/databases/neo4j');
    const folderOption = page.getByTestId('backup-folder').getByLabel('Backup folder').locator('option', { hasText: name });
    const folderId = await folderOption.getAttribute('value');
    await page.goto(`/databases/neo4j?folder=${folderId}`);
    const backupForm = page.getByRole('form', { name: 'Back up neo4j' });
    await expect(backupForm.getByTestId('neo4j-backup-source')).toContainText(name);
    await backupForm.getByRole('radio', { name: 'Full', exact: true }).check();
    await backupForm.getByRole('button', { name: 'Start backup' }).click();
    await expect(backupForm.getByTestId('started-job')).toContainText(/succeeded/i, { timeout: 90_000 });
    await expect(page.getByTestId('neo4j-chain-note')).toBeVisible();

    // the artifact on the timeline, listed by the cluster's neo4j-admin
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('chain-timeline').locator('[data-testid="artifact-bar"]')).toHaveCount(1, { timeout: 2000 });
    }).toPass({ timeout: 60_000 });
    const endsAt = await page.getByTestId('restorable-range').getAttribute('data-to-tx');
    // Txline's own actions on a backup are not offered for Neo4j's artifacts, and the panel says why
    await page.getByTestId('chain-timeline').locator('[data-testid="artifact-bar"]').first().click();
    await expect(page.getByTestId('engine-note')).toContainText('neo4j-admin');
    await expect(page.getByTestId('artifact-details').getByRole('button', { name: 'Verify' })).toHaveCount(0);

    // restore as a new database by seeding, ending at the backup's last transaction
    const target = `seeded-${Date.now().toString(36)}`;
    const seedForm = page.getByRole('form', { name: `Restore neo4j as a new database of ${name}` });
    await seedForm.getByLabel('New database').fill(target);
    await seedForm.getByLabel('Ends at transaction (optional)').fill(endsAt ?? '');
    await seedForm.getByRole('button', { name: 'Restore by seeding' }).click();
    await expect(seedForm.getByTestId('started-job')).toContainText(/succeeded/i, { timeout: 120_000 });
    await page.goto(`/cluster`);
    await clusterSelect.selectOption((await option.getAttribute('value')) ?? '');
    await expect(page.getByLabel('Database', { exact: true }).locator('option', { hasText: target })).toHaveCount(1, { timeout: 20_000 });
  } finally {
    await settings.goto();
    await settings.removeCluster(name);
    await expect(settings.cluster(name)).toHaveCount(0);
  }
});

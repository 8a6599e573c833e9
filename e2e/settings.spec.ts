/**
 * The Settings page: clusters (a bad address is refused with the field's error; a remote cluster can be
 * added and removed, and the overview shows its members live; the embedded one cannot be removed) and backup folders (one outside the backup root is
 * refused; one inside is listed, and removing it from the catalog leaves its files on disk). A viewer sees
 * both lists and the cluster page, without the forms and controls that need the admin role.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type TestInfo } from '@playwright/test';
import { ClusterPage } from './pages/cluster-page';
import { OverviewPage } from './pages/overview-page';
import { SettingsPage } from './pages/settings-page';
import { contextAs } from './support/users';

async function screenshot(settings: SettingsPage, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await settings.page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

test('adding a cluster with a bad address shows the field error; a good one is listed and can be removed', async ({ page }, testInfo) => {
  const settings = new SettingsPage(page);
  await settings.goto();
  await expect(settings.heading).toBeVisible();
  await expect(settings.cluster('embedded')).toContainText('embedded');
  await expect(settings.cluster('embedded').getByRole('button', { name: /Remove/ })).toHaveCount(0);
  const before = await settings.clusterItems.count();

  const name = `e2e-remote-${Date.now()}`;
  await settings.addCluster(name, '127.0.0.1:7687, not-an-address');
  const addresses = settings.clusterForm.getByLabel('Addresses');
  await expect(settings.clusterForm.getByTestId('field-error-addresses')).toHaveText('Not host:port: not-an-address.');
  await expect(addresses).toHaveAttribute('aria-invalid', 'true');
  // The error is tied to the input, and what was typed is still there to correct.
  const describedBy = (await addresses.getAttribute('aria-describedby')) ?? '';
  const errorId = await settings.clusterForm.getByTestId('field-error-addresses').getAttribute('id');
  expect(describedBy.split(' ')).toContain(errorId);
  await expect(addresses).toHaveValue('127.0.0.1:7687, not-an-address');
  await expect(settings.clusterItems).toHaveCount(before);
  await screenshot(settings, testInfo, 'settings-cluster-error');

  // Fixed: the cluster is registered (nothing listens there; it shows as unreachable) and can be removed.
  await addresses.fill('127.0.0.1:9');
  await settings.clusterForm.getByRole('button', { name: 'Add cluster' }).click();
  await expect(settings.cluster(name)).toBeVisible();
  await expect(settings.cluster(name)).toContainText('remote');
  await expect(settings.cluster(name).getByTestId('cluster-addresses')).toHaveText('127.0.0.1:9');
  await expect(addresses).not.toHaveAttribute('aria-invalid');
  await expect(addresses).toHaveValue('');

  await settings.cluster(name).getByRole('button', { name: `Remove cluster ${name}` }).click();
  await expect(settings.confirmDialog).toContainText(`Remove cluster ${name}?`);
  await settings.confirmDialog.getByRole('button', { name: 'Remove cluster' }).click();
  await expect(settings.cluster(name)).toHaveCount(0);
  await expect(settings.clusterItems).toHaveCount(before);
});

test('a cluster added in Settings is on the overview with its members, live, until it is removed', async ({ page, request }, testInfo) => {
  // The embedded cluster's members, registered a second time by their addresses (as another cluster would be).
  const res = await request.get('/api/cluster');
  expect(res.ok()).toBe(true);
  const addresses = ((await res.json()) as { members: Array<{ address: string }> }).members.map((m) => m.address);
  expect(addresses).toHaveLength(3);
  const name = `e2e-watched-${Date.now()}`;
  const settings = new SettingsPage(page);
  await settings.goto();
  await settings.addCluster(name, addresses.join(', '));
  await expect(settings.cluster(name)).toBeVisible();
  try {
    const overview = new OverviewPage(page);
    await overview.goto();
    const embedded = overview.cluster('embedded');
    const watched = overview.cluster(name);
    await expect(embedded.getByTestId('member')).toHaveCount(3);
    // the new cluster's members, by the names they answer with, each with its databases
    await expect(watched.getByTestId('member')).toHaveCount(3, { timeout: 20_000 });
    for (const id of ['member-1', 'member-2', 'member-3']) {
      await expect(watched.getByRole('rowgroup', { name: `Member ${id}`, exact: true })).toHaveAttribute('data-reachable', 'true');
    }
    await expect(watched.getByRole('rowgroup', { name: 'Member member-1', exact: true }).getByTestId('database-neo4j').getByTestId('database-role')).toHaveText('writer');
    // and it is live: the writer's last transaction there moves on without a reload
    const tx = async () => Number((await watched.getByRole('rowgroup', { name: 'Member member-1', exact: true }).getByTestId('database-neo4j').getByTestId('last-committed-txn').innerText()).replace(/,/g, ''));
    const first = await tx();
    await expect.poll(tx, { timeout: 20_000 }).toBeGreaterThan(first);
    // its databases have cards of their own, named with the cluster
    await expect(page.getByRole('region', { name: `Database neo4j on ${name}`, exact: true })).toBeVisible();
    await screenshot(settings, testInfo, 'overview-two-clusters');
  } finally {
    await settings.goto();
    await settings.removeCluster(name);
    await expect(settings.cluster(name)).toHaveCount(0);
  }
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.cluster(name)).toHaveCount(0);
  await expect(overview.members).toHaveCount(3);
});

test('a folder outside the backup root is refused; one inside is listed, and removing it keeps its files', async ({ page }, testInfo) => {
  const settings = new SettingsPage(page);
  await settings.goto();
  // New folders must be inside the backup root: by default, the default folder.
  const root = await settings.folder('default').getByTestId('folder-path').innerText();

  const name = `e2e-folder-${Date.now()}`;
  const outside = path.join(os.tmpdir(), 'txline-e2e-folders', name);
  await settings.addFolder(name, outside);
  await expect(settings.folderForm.getByTestId('field-error-path')).toContainText('The folder must be inside the backup root');
  await expect(settings.folderForm.getByLabel('Path')).toHaveAttribute('aria-invalid', 'true');
  await expect(settings.folder(name)).toHaveCount(0);
  expect(fs.existsSync(outside)).toBe(false);

  // A relative path lands inside the root.
  const dir = path.join(root, name);
  await settings.folderForm.getByLabel('Path').fill(name);
  await settings.folderForm.getByRole('button', { name: 'Add folder' }).click();
  await expect(settings.folderForm.getByTestId('form-status')).toContainText(`Folder ${name} added`);
  await expect(settings.folder(name)).toBeVisible();
  await expect(settings.folder(name).getByTestId('folder-path')).toHaveText(dir);
  await expect(settings.folder(name)).toContainText('0 backups of 0 databases');
  await expect(settings.folder(name).getByTestId('folder-scan')).toContainText('last scanned');
  await expect(settings.folderForm.getByLabel('Path')).toHaveValue('');
  expect(fs.statSync(dir).isDirectory()).toBe(true);
  await screenshot(settings, testInfo, 'settings-folder-added');

  // The default folder cannot be removed; this one can, after a confirmation, and its files stay.
  await expect(settings.folder('default').getByRole('button', { name: /Remove/ })).toHaveCount(0);
  fs.writeFileSync(path.join(dir, 'keep-me.txt'), 'not an artifact');
  await settings.folder(name).getByRole('button', { name: `Remove folder ${name}` }).click();
  await expect(settings.confirmDialog).toContainText('stay on disk');
  await settings.confirmDialog.getByRole('button', { name: 'Remove folder' }).click();
  await expect(settings.folder(name)).toHaveCount(0);
  expect(fs.existsSync(path.join(dir, 'keep-me.txt'))).toBe(true);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a viewer sees settings and the cluster page without the controls only an admin may use', async ({ page, browser }) => {
  // The admin creates a viewer (the users page is the admin's).
  const username = `e2e-viewer-${Date.now()}`;
  await page.goto('/admin/users');
  const create = page.getByRole('form', { name: 'Create a user' });
  await create.getByLabel('User name').fill(username);
  await create.getByLabel('Role').selectOption('viewer');
  await create.getByLabel(/Initial password/).fill('viewer-initial-pw-1');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText(username).first()).toBeVisible();

  const { context, page: viewerPage } = await contextAs(browser, username, 'viewer-initial-pw-1', 'viewer-changed-pw-2');
  try {
    const settings = new SettingsPage(viewerPage);
    await settings.goto();
    await expect(settings.cluster('embedded')).toBeVisible();
    await expect(settings.folder('default')).toBeVisible();
    await expect(settings.clusterForm).toHaveCount(0);
    await expect(settings.folderForm).toHaveCount(0);
    await expect(viewerPage.getByText('Changing settings needs the admin role (you are viewer).').first()).toBeVisible();

    const cluster = new ClusterPage(viewerPage);
    await cluster.goto();
    await expect(cluster.legendItems).toHaveCount(3);
    await expect(cluster.memberRows).toHaveCount(3);
    await expect(cluster.memberRow('member-2').getByRole('button')).toHaveCount(0);
    await expect(viewerPage.getByText('Pausing replication and stopping or starting members needs the admin role.')).toBeVisible();
  } finally {
    await context.close();
  }
});

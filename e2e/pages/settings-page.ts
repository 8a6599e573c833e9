/**
 * Page object of the Settings page: the cluster list and its add form, the backup folder list and its
 * add form, and the confirmation dialog of a removal.
 */
import type { Locator, Page } from '@playwright/test';

export class SettingsPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/settings');
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Settings' });
  }

  // ---- clusters
  get clusterForm(): Locator {
    return this.page.getByRole('form', { name: 'Add a cluster' });
  }

  get clusterItems(): Locator {
    return this.page.getByTestId('cluster-item');
  }

  cluster(name: string): Locator {
    return this.page.locator(`[data-testid="cluster-item"][data-name="${name}"]`);
  }

  async addCluster(name: string, addresses: string): Promise<void> {
    await this.clusterForm.getByLabel('Name').fill(name);
    await this.clusterForm.getByLabel('Addresses').fill(addresses);
    await this.clusterForm.getByRole('button', { name: 'Add cluster' }).click();
  }

  /** Removes the cluster `name` through its Remove button and the confirmation dialog. */
  async removeCluster(name: string): Promise<void> {
    await this.cluster(name).getByRole('button', { name: `Remove cluster ${name}` }).click();
    await this.confirmDialog.getByRole('button', { name: 'Remove cluster' }).click();
  }

  // ---- folders
  get folderForm(): Locator {
    return this.page.getByRole('form', { name: 'Add a backup folder' });
  }

  get folderItems(): Locator {
    return this.page.getByTestId('folder-item');
  }

  folder(name: string): Locator {
    return this.page.locator(`[data-testid="folder-item"][data-name="${name}"]`);
  }

  async addFolder(name: string, folderPath: string): Promise<void> {
    await this.folderForm.getByLabel('Name').fill(name);
    await this.folderForm.getByLabel('Path').fill(folderPath);
    await this.folderForm.getByRole('button', { name: 'Add folder' }).click();
  }

  // ---- removal
  get confirmDialog(): Locator {
    return this.page.getByRole('dialog');
  }
}

/**
 * Page object of a database's page: the chain timeline (bars carry their range in data attributes), the
 * opened artifact, the backup form, the live writer position and the recent jobs.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { startedOrFail } from './overview-page';

export interface BarInfo {
  id: number;
  type: 'full' | 'diff';
  fromTx: number;
  toTx: number;
  lowestTx: number;
  highestTx: number;
  parentId: number | null;
}

export class DatabasePage {
  constructor(
    readonly page: Page,
    readonly database: string,
  ) {}

  async goto(query = ''): Promise<void> {
    await this.page.goto(`/databases/${this.database}${query}`);
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: this.database });
  }

  get timeline(): Locator {
    return this.page.getByTestId('chain-timeline');
  }

  bar(file: string): Locator {
    return this.timeline.locator(`[data-testid="artifact-bar"][data-file="${file}"]`);
  }

  async barInfo(file: string): Promise<BarInfo> {
    const bar = this.bar(file);
    const num = async (name: string) => Number(await bar.getAttribute(name));
    const parent = await bar.getAttribute('data-parent-id');
    return {
      id: await num('data-id'),
      type: (await bar.getAttribute('data-type')) as 'full' | 'diff',
      fromTx: await num('data-from-tx'),
      toTx: await num('data-to-tx'),
      lowestTx: await num('data-lowest-tx'),
      highestTx: await num('data-highest-tx'),
      parentId: parent === null ? null : Number(parent),
    };
  }

  get tooltip(): Locator {
    return this.page.getByRole('tooltip');
  }

  /** The artifact opened from the timeline. */
  get details(): Locator {
    return this.page.getByTestId('artifact-details');
  }

  /** The writer's last committed transaction, as the page shows it live. */
  async writerLastTx(): Promise<number> {
    return Number(await this.page.getByTestId('writer-last-tx').getAttribute('data-value'));
  }

  get backupForm(): Locator {
    return this.page.getByRole('form', { name: `Back up ${this.database}` });
  }

  /** Starts a backup with the form's options; answers the line that follows the started job. */
  async startBackup(type: 'Auto (differential when possible)' | 'Full' | 'Differential'): Promise<Locator> {
    // the form works once hydrated (before, a click posts it natively and the reloaded page has the defaults)
    await expect(this.backupForm).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
    await this.backupForm.getByRole('radio', { name: type, exact: true }).check();
    await this.backupForm.getByRole('button', { name: 'Start backup' }).click();
    return startedOrFail(this.backupForm.getByTestId('started-job'), this.backupForm.getByTestId('form-error'));
  }

  jobRow(id: number | string): Locator {
    return this.page.locator(`[data-testid="job-row"][data-job-id="${id}"]`);
  }
}

/**
 * Page object of the first page (Overview): the cluster members table and, per database, a card with its
 * backups and "Back up now".
 */
import { expect, type Locator, type Page } from '@playwright/test';

export class OverviewPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/');
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Overview' });
  }

  /** A registered cluster's region: its members table, live. */
  cluster(name: string): Locator {
    return this.page.getByRole('region', { name: `Cluster ${name}`, exact: true });
  }

  /** One <tbody> (role rowgroup) per member. */
  get members(): Locator {
    return this.page.getByTestId('member');
  }

  member(id: string): Locator {
    return this.page.getByRole('rowgroup', { name: `Member ${id}`, exact: true });
  }

  /** A member's row for one database. */
  database(memberId: string, database: string): Locator {
    return this.member(memberId).getByTestId(`database-${database}`);
  }

  mode(memberId: string): Locator {
    return this.member(memberId).getByTestId('member-mode');
  }

  /** A member's replication lag of a database, as a number (the cell keeps the raw value). */
  async lag(memberId: string, database: string): Promise<number> {
    const raw = await this.database(memberId, database).getByTestId('replication-lag').getAttribute('data-value');
    return Number(raw);
  }

  async lastCommittedTxn(memberId: string, database: string): Promise<number> {
    const text = await this.database(memberId, database).getByTestId('last-committed-txn').innerText();
    return Number(text.replace(/,/g, ''));
  }

  /** A database's card ("Database <name>", a region). */
  databaseCard(database: string): Locator {
    return this.page.getByRole('region', { name: `Database ${database}`, exact: true });
  }

  /** Every database card shown (one page of them). */
  get databaseCards(): Locator {
    return this.page.getByTestId('database-card');
  }

  /** The names of the cards shown, in order. */
  async cardNames(): Promise<string[]> {
    return this.databaseCards.evaluateAll((els) => els.map((e) => e.getAttribute('data-database') ?? ''));
  }

  /** The search and filters of the databases (a search landmark). */
  get filters(): Locator {
    return this.page.getByRole('search', { name: 'Databases' });
  }

  get search(): Locator {
    return this.filters.getByRole('searchbox', { name: 'Search databases' });
  }

  get clusterFilter(): Locator {
    return this.filters.getByRole('combobox', { name: 'Cluster' });
  }

  get troubleFilter(): Locator {
    return this.filters.getByRole('combobox', { name: 'State' });
  }

  /** "Showing 1–50 of 5,000 …": its matched and total counts are data attributes. */
  get count(): Locator {
    return this.page.getByTestId('overview-count');
  }

  get pager(): Locator {
    return this.page.getByRole('navigation', { name: 'Pages of databases' });
  }

  /** Starts a backup from a database's card; answers the line that follows the started job. */
  async backUpNow(database: string, type: 'auto' | 'full' | 'diff'): Promise<Locator> {
    const card = this.databaseCard(database);
    // the form works once hydrated (before, a click posts it natively and the reloaded page has the defaults)
    await expect(card.locator('form[data-hydrated]')).toHaveCount(1, { timeout: 30_000 });
    await card.getByLabel('Backup type').selectOption(type);
    await card.getByRole('button', { name: 'Back up now' }).click();
    // the job this click started is listed first; a job that was already running comes after it
    const started = card.getByTestId('started-job').first();
    return startedOrFail(started, card.getByTestId('form-error'));
  }
}

/** The started job's line, or a failure naming the form's error (a job already running, say). */
export async function startedOrFail(started: Locator, error: Locator): Promise<Locator> {
  await expect(started.or(error).first()).toBeVisible({ timeout: 30_000 });
  if (await error.isVisible()) throw new Error(`the backup did not start: ${await error.innerText()}`);
  return started;
}

/**
 * Page object of the first page (Overview): the cluster members table.
 */
import type { Locator, Page } from '@playwright/test';

export class OverviewPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/');
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Overview' });
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
}

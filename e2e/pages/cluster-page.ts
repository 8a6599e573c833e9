/**
 * Page object of the Cluster page: the window control, the lag and commit-rate charts, and the member table
 * with its controls (one row per member: data-testid "member-row", data-member = the member's ID).
 */
import type { Locator, Page } from '@playwright/test';

export class ClusterPage {
  constructor(readonly page: Page) {}

  async goto(query = ''): Promise<void> {
    await this.page.goto(`/cluster${query}`);
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Cluster' });
  }

  windowButton(label: '5 minutes' | '1 hour' | '24 hours'): Locator {
    return this.page.getByRole('group', { name: 'Window' }).getByRole('button', { name: label });
  }

  get databaseSelect(): Locator {
    return this.page.getByLabel('Database', { exact: true });
  }

  get lagChart(): Locator {
    return this.page.getByTestId('lag-chart');
  }

  /** The drawn line of each member's series (an SVG path per member). */
  get lagLines(): Locator {
    return this.lagChart.locator('g.lag-series path.recharts-line-curve');
  }

  get legendItems(): Locator {
    return this.page.getByTestId('lag-legend-item');
  }

  legendItem(memberId: string): Locator {
    return this.page.locator(`[data-testid="lag-legend-item"][data-member="${memberId}"]`);
  }

  get commitRateChart(): Locator {
    return this.page.getByTestId('commit-rate-chart');
  }

  get memberRows(): Locator {
    return this.page.getByTestId('member-row');
  }

  memberRow(memberId: string): Locator {
    return this.page.locator(`[data-testid="member-row"][data-member="${memberId}"]`);
  }

  /** The member's replicationLag on the chosen database (0 or negative), from the cell's raw value. */
  async lag(memberId: string): Promise<number> {
    const raw = await this.memberRow(memberId).getByTestId('member-lag').getAttribute('data-value');
    if (raw === null || raw === '') return Number.NaN;
    return Number(raw);
  }

  replication(memberId: string): Locator {
    return this.memberRow(memberId).getByTestId('member-replication');
  }

  control(memberId: string, name: string | RegExp): Locator {
    return this.memberRow(memberId).getByRole('button', { name });
  }

  controlMessage(memberId: string): Locator {
    return this.memberRow(memberId).getByTestId('member-control-message');
  }

  get confirmDialog(): Locator {
    return this.page.getByRole('dialog');
  }
}

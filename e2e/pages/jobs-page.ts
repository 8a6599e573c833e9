/**
 * Page object of the jobs list (/jobs) and a job's page (/jobs/{id}).
 */
import type { Locator, Page } from '@playwright/test';

export class JobsPage {
  constructor(readonly page: Page) {}

  async goto(filters: { database?: string; status?: string } = {}): Promise<void> {
    const q = new URLSearchParams(Object.entries(filters).flatMap(([k, v]) => (v ? [[k, v]] : [])));
    const s = q.toString();
    await this.page.goto(s ? `/jobs?${s}` : '/jobs');
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Jobs' });
  }

  get rows(): Locator {
    return this.page.getByTestId('job-row');
  }

  row(jobId: number): Locator {
    return this.page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
  }

  /** The link to a job's own page ("#12"). */
  link(jobId: number): Locator {
    return this.row(jobId).getByRole('link', { name: `#${jobId}`, exact: true });
  }

  // a job's page
  get detail(): Locator {
    return this.page.getByTestId('job-detail');
  }

  get log(): Locator {
    return this.page.getByRole('region', { name: 'Job log' });
  }
}

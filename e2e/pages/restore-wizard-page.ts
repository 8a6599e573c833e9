/**
 * Page object of the restore wizard (/restore): its steps, fields, the plan and the result.
 */
import type { Locator, Page } from '@playwright/test';

export type WizardStep = 'source' | 'point' | 'target' | 'review' | 'progress' | 'result';

export class RestoreWizardPage {
  constructor(readonly page: Page) {}

  async goto(query: { database?: string; folder?: number; artifact?: number } = {}): Promise<void> {
    const q = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
    const s = q.toString();
    await this.page.goto(s ? `/restore?${s}` : '/restore');
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Restore' });
  }

  get wizard(): Locator {
    return this.page.getByTestId('restore-wizard');
  }

  /** The current step as the wizard shows it (data-step). */
  async step(): Promise<string | null> {
    return this.wizard.getAttribute('data-step');
  }

  get stepper(): Locator {
    return this.page.getByRole('list', { name: 'Restore steps' });
  }

  get currentStepperItem(): Locator {
    return this.stepper.locator('li[aria-current="step"]');
  }

  get stepHeading(): Locator {
    return this.page.locator('#restore-step-heading');
  }

  // step 1
  get database(): Locator {
    return this.page.getByRole('combobox', { name: 'Database', exact: true });
  }

  get folder(): Locator {
    return this.page.getByRole('combobox', { name: 'Backup folder' });
  }

  // step 2
  pointChoice(label: 'The latest backup' | 'A backup' | 'A transaction ID' | 'A time (UTC)'): Locator {
    return this.page.getByRole('radio', { name: label, exact: true });
  }

  get txInput(): Locator {
    return this.page.getByRole('textbox', { name: 'Restore until transaction' });
  }

  get timeInput(): Locator {
    return this.page.getByRole('textbox', { name: /Restore to what was committed before/ });
  }

  get timeline(): Locator {
    return this.page.getByTestId('restore-timeline');
  }

  get plan(): Locator {
    return this.page.getByTestId('restore-plan');
  }

  async planValue(testId: 'plan-target-tx' | 'plan-tx-to-replay'): Promise<number> {
    return Number(await this.plan.getByTestId(testId).getAttribute('data-value'));
  }

  // step 2: the transaction search and the comparison with the newest point
  get searchMatch(): Locator {
    return this.page.getByRole('searchbox', { name: 'Match' });
  }

  get searchFrom(): Locator {
    return this.page.getByRole('textbox', { name: 'From tx' });
  }

  get searchTo(): Locator {
    return this.page.getByRole('textbox', { name: 'To tx' });
  }

  get searchResults(): Locator {
    return this.page.getByTestId('transaction-result');
  }

  get searchError(): Locator {
    return this.page.getByTestId('transaction-search-error');
  }

  /** The button that sets the point to just before the transaction `txId` (restore until it, exclusive). */
  restoreBefore(txId: number): Locator {
    return this.page.getByRole('button', { name: `Restore to just before transaction ${txId}: the database ends at transaction ${txId - 1}` });
  }

  get pointPreview(): Locator {
    return this.page.getByTestId('point-preview');
  }

  // step 3
  /** "A new database" or "Replace <name>". */
  targetChoice(label: string): Locator {
    return this.page.getByRole('radio', { name: label, exact: true });
  }

  get newName(): Locator {
    return this.page.getByRole('textbox', { name: 'New database name' });
  }

  // step 4
  get confirm(): Locator {
    return this.page.getByRole('textbox', { name: /to confirm/ });
  }

  get reviewTarget(): Locator {
    return this.page.getByTestId('review-target');
  }

  /** "Start restore", or "Replace <name>" when replacing. */
  get startButton(): Locator {
    return this.page.getByRole('button', { name: /^(Start restore|Replace )/ });
  }

  // navigation and messages
  get next(): Locator {
    return this.page.getByRole('button', { name: 'Next', exact: true });
  }

  get back(): Locator {
    return this.page.getByRole('button', { name: 'Back', exact: true });
  }

  fieldError(field: string): Locator {
    return this.page.getByTestId(`field-error-${field}`);
  }

  get stepAlert(): Locator {
    return this.page.getByTestId('step-alert');
  }

  // steps 5 and 6
  get progress(): Locator {
    return this.page.getByTestId('restore-progress');
  }

  get outcome(): Locator {
    return this.page.getByTestId('restore-outcome');
  }

  resultValue(testId: 'result-last-tx' | 'result-nodes' | 'result-relationships' | 'result-content-hash' | 'result-replayed'): Locator {
    return this.outcome.getByTestId(testId);
  }

  async resultNumber(testId: 'result-last-tx' | 'result-nodes' | 'result-relationships' | 'result-replayed'): Promise<number> {
    return Number((await this.resultValue(testId).innerText()).replace(/,/g, ''));
  }
}

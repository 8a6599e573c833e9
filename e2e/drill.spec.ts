/**
 * Restore drills in the browser: after a backup of neo4j, "Drill now" on its page starts a drill job whose
 * progress shows under the button until it passes; the drill history and the RTO chart show it, and the
 * overview's card of neo4j says "last verified" with the RTO, no longer flagged as never verified.
 */
import { expect, test } from '@playwright/test';
import { OverviewPage } from './pages/overview-page';

test('"Drill now" shows progress, then "last verified" with the RTO on the overview', async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  const backup = await overview.backUpNow('neo4j', 'full');
  await expect(backup).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });

  await page.goto('/databases/neo4j');
  const section = page.getByRole('region', { name: 'Restore drills' });
  await expect(section.getByTestId('last-verified')).toBeVisible();
  // every phase the progress bar shows while the drill runs, as the page shows it
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { drillPhases: string[] }).drillPhases = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="started-job"] [data-testid="job-progress"]')) {
        const phase = el.getAttribute('data-phase');
        if (phase && seen[seen.length - 1] !== phase) seen.push(phase);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
  });
  const form = section.getByRole('form', { name: 'Drill neo4j' });
  await form.getByRole('button', { name: 'Drill now' }).click();
  const started = form.getByTestId('started-job');
  await expect(started).toBeVisible({ timeout: 30_000 });
  await expect(started).toContainText(/drill job #\d+/);
  await expect(started).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
  const phases = await page.evaluate(() => (window as unknown as { drillPhases: string[] }).drillPhases);
  expect(phases[phases.length - 1]).toBe('Finished');
  expect(phases.length, `phases shown: ${phases.join(' → ')}`).toBeGreaterThan(1);

  // the page refreshes when the job ends: the history, the chart and "last verified"
  await expect(section.locator('[data-testid="drill-row"][data-passed="true"]').first()).toBeVisible({ timeout: 30_000 });
  await expect(section.getByTestId('rto-chart')).toBeVisible();
  await expect(section.getByTestId('rto-last')).toContainText(/\d/);
  await expect(section.getByTestId('last-verified')).toHaveAttribute('data-stale', 'false');

  await overview.goto();
  const verified = overview.databaseCard('neo4j').getByTestId('last-verified');
  await expect(verified).toHaveAttribute('data-stale', 'false');
  await expect(verified).toContainText(/newest point, tx [\d,]+ · RTO [\d.]+ s/);
  await expect(verified.getByTestId('last-verified-rto')).toHaveText(/^[\d.]+ s$/);
  await expect(verified).not.toContainText('never verified');
});

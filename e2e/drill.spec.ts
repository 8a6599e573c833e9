/**
 * Restore drills in the browser: after a backup of neo4j, "Drill now" on its page starts a drill job whose
 * progress shows under the button until it passes; the drill history and the RTO chart show it, and the
 * overview's card of neo4j says "last verified" with the RTO, no longer flagged as never verified. An operator
 * chooses another registered cluster as the drill target of neo4j on its page, and "Drill now" restores into it.
 */
import { expect, test } from '@playwright/test';
import { OverviewPage } from './pages/overview-page';
import { SettingsPage } from './pages/settings-page';

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

test('the drill target is chosen on the database page, and "Drill now" restores into it', async ({ page, request }) => {
  test.setTimeout(180_000);
  // a backup to drill, taken while neo4j has one card on the overview (the cluster added below hosts it too)
  const overview = new OverviewPage(page);
  await overview.goto();
  const backup = await overview.backUpNow('neo4j', 'full');
  await expect(backup).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  // the embedded cluster's members, registered a second time by their addresses: another cluster of the Txline kind
  const res = await request.get('/api/cluster');
  expect(res.ok()).toBe(true);
  const addresses = ((await res.json()) as { members: Array<{ address: string }> }).members.map((m) => m.address);
  const name = `e2e-drill-bed-${Date.now().toString(36)}`;
  const settings = new SettingsPage(page);
  await settings.goto();
  await settings.addCluster(name, addresses.join(', '));
  await expect(settings.cluster(name)).toBeVisible();
  try {
    await page.goto('/databases/neo4j');
    const section = page.getByRole('region', { name: 'Restore drills' });
    const target = section.getByTestId('drill-target');
    await expect(target.getByTestId('drill-target-name')).toHaveText('embedded');
    await expect(target).toContainText('(its own cluster)');
    const form = target.getByRole('form', { name: 'Drill target of neo4j' });
    await form.getByLabel('Drill target').selectOption({ label: name });
    await form.getByRole('button', { name: 'Save drill target' }).click();
    await expect(form.getByTestId('drill-target-saved')).toHaveText(`Saved: drills of neo4j restore into ${name}.`);
    await page.reload();
    await expect(section.getByTestId('drill-target-name')).toHaveText(name);

    const drill = section.getByRole('form', { name: 'Drill neo4j' });
    await drill.getByRole('button', { name: 'Drill now' }).click();
    const started = drill.getByTestId('started-job');
    await expect(started).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
    const jobId = /drill job #(\d+)/.exec(await started.innerText())?.[1];
    const job = (await (await request.get(`/api/jobs/${jobId}`)).json()) as { params: { drillTarget?: string }; clusterId: number | null };
    expect(job.params.drillTarget).toBe(name);

    // back to its own cluster
    await section.getByRole('form', { name: 'Drill target of neo4j' }).getByLabel('Drill target').selectOption({ label: 'embedded (its own cluster)' });
    await section.getByRole('form', { name: 'Drill target of neo4j' }).getByRole('button', { name: 'Save drill target' }).click();
    await expect(section.getByTestId('drill-target-saved')).toHaveText('Saved: drills of neo4j restore into embedded.');
  } finally {
    await settings.goto();
    await settings.removeCluster(name);
    await expect(settings.cluster(name)).toHaveCount(0);
  }
});

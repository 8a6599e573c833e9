/**
 * The Cluster page against `txline serve`: three members of the embedded cluster (member-3 applies 1500 ms
 * late) while the workload writes to neo4j. Lag per member is charted live; pausing a member's replication
 * from the page makes its lag grow, and resuming it lets it catch up.
 */
import { expect, test, type TestInfo } from '@playwright/test';
import { ClusterPage } from './pages/cluster-page';

const MEMBERS = ['member-1', 'member-2', 'member-3'];

async function screenshot(cluster: ClusterPage, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await cluster.page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

test('the cluster page charts one lag series per member and the writer commit rate', async ({ page }, testInfo) => {
  const consoleErrors: string[] = [];
  // (Resource 404s are left out: the shell's links prefetch pages that other work adds.)
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  const cluster = new ClusterPage(page);
  await cluster.goto();
  await expect(cluster.heading).toBeVisible();
  await expect(cluster.databaseSelect).toHaveValue('neo4j');
  await expect(cluster.windowButton('5 minutes')).toHaveAttribute('aria-pressed', 'true');

  // One legend entry and one drawn SVG line per member.
  await expect(cluster.legendItems).toHaveCount(3);
  for (const m of MEMBERS) await expect(cluster.legendItem(m)).toContainText(m);
  await expect(cluster.lagLines).toHaveCount(3);
  for (let i = 0; i < 3; i++) await expect(cluster.lagLines.nth(i)).toHaveAttribute('d', /^M[\d.\-e]+,[\d.\-e]+L/);

  // The writer commits: the rate chart draws a line and names the writer.
  await expect(cluster.commitRateChart).toContainText('member-1');
  await expect(cluster.commitRateChart.locator('g.commit-rate-series path.recharts-line-curve')).toHaveCount(1);

  // The table: roles of neo4j and the writer at 0.
  await expect(cluster.memberRows).toHaveCount(3);
  await expect(cluster.memberRow('member-1').getByTestId('member-role')).toHaveText('writer');
  await expect(cluster.memberRow('member-3').getByTestId('member-role')).toHaveText('secondary');
  await expect(cluster.memberRow('member-1').getByTestId('member-lag')).toHaveText('0 behind');
  await screenshot(cluster, testInfo, 'cluster-page');

  // Another window: the choice shows, lands in the address, and the three series stay.
  await cluster.windowButton('1 hour').click();
  await expect(cluster.windowButton('1 hour')).toHaveAttribute('aria-pressed', 'true');
  await expect(cluster.windowButton('5 minutes')).toHaveAttribute('aria-pressed', 'false');
  await expect(page).toHaveURL(/window=1h/);
  await expect(cluster.lagLines).toHaveCount(3);
  await expect(cluster.lagChart).toContainText('1 hour');
  // Server render and hydration agree, and nothing threw in the browser.
  expect(consoleErrors).toEqual([]);
});

test("a member's lag rises while its replication is paused and recovers when it resumes", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const cluster = new ClusterPage(page);
  await cluster.goto();
  await expect(cluster.memberRows).toHaveCount(3);
  await expect(cluster.replication('member-2')).toHaveAttribute('data-paused', 'false');
  await expect(cluster.replication('member-2')).toContainText('running');

  await cluster.control('member-2', 'Pause replication').click();
  try {
    await expect(cluster.controlMessage('member-2')).toHaveText('member-2: replication paused');
    await expect(cluster.replication('member-2')).toHaveAttribute('data-paused', 'true');
    await expect(cluster.control('member-2', 'Resume replication')).toBeVisible();

    // The workload keeps committing on member-1; member-2 applies nothing, so it falls behind.
    await expect
      .poll(() => cluster.lag('member-2'), { message: "member-2's lag on neo4j should fall well below 0", timeout: 30_000, intervals: [500] })
      .toBeLessThan(-10);
    // The chart says the same: member-2's latest point is more than 10 transactions behind.
    await expect
      .poll(async () => Number(((await cluster.legendItem('member-2').innerText()).match(/([\d,]+) behind/)?.[1] ?? '0').replace(/,/g, '')), {
        timeout: 15_000,
      })
      .toBeGreaterThan(10);
    // The table says it the same way, "N behind" (how far in time too), Neo4j's raw value in the tooltip.
    const lagCell = cluster.memberRow('member-2').getByTestId('member-lag');
    await expect(lagCell).toHaveText(/^[\d,]+ behind( · [\d.]+ (s|min).*)?$/);
    await expect(lagCell.locator('[title]')).toHaveAttribute('title', /^replicationLag \u2212[\d,]+ /);
    // member-1 is the writer: never behind.
    expect(await cluster.lag('member-1')).toBe(0);
    await screenshot(cluster, testInfo, 'cluster-member-2-paused');

    await cluster.control('member-2', 'Resume replication').click();
    await expect(cluster.controlMessage('member-2')).toHaveText('member-2: replication resumed');
    await expect(cluster.replication('member-2')).toHaveAttribute('data-paused', 'false');
  } finally {
    // Leave the cluster as the other specs expect it, even when an assertion above failed.
    if ((await cluster.replication('member-2').getAttribute('data-paused')) === 'true') {
      await cluster.control('member-2', 'Resume replication').click();
      await expect(cluster.replication('member-2')).toHaveAttribute('data-paused', 'false');
    }
  }

  // Caught up: member-2 applies without delay, so it is back within a few transactions of the writer.
  await expect
    .poll(() => cluster.lag('member-2'), { message: "member-2's lag should recover to near 0", timeout: 30_000, intervals: [500] })
    .toBeGreaterThanOrEqual(-3);
  await screenshot(cluster, testInfo, 'cluster-member-2-resumed');
});

test('stopping a member asks first, and the member can be started again', async ({ page }) => {
  test.setTimeout(120_000);
  const cluster = new ClusterPage(page);
  await cluster.goto();
  await expect(cluster.memberRow('member-3')).toHaveAttribute('data-reachable', 'true');

  // Escape cancels: nothing is stopped.
  await cluster.control('member-3', 'Stop member').click();
  await expect(cluster.confirmDialog).toBeVisible();
  await expect(cluster.confirmDialog).toContainText('Stop member-3?');
  await expect(cluster.confirmDialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(cluster.confirmDialog).toBeHidden();
  await expect(cluster.memberRow('member-3')).toHaveAttribute('data-reachable', 'true');

  await cluster.control('member-3', 'Stop member').click();
  await cluster.confirmDialog.getByRole('button', { name: 'Stop member' }).click();
  try {
    await expect(cluster.controlMessage('member-3')).toHaveText('member-3: stopped', { timeout: 60_000 });
    await expect(cluster.memberRow('member-3')).toHaveAttribute('data-reachable', 'false');
    await expect(cluster.control('member-3', 'Start member')).toBeVisible();
    // the collector keeps sampling it, offline: the chart says so instead of losing its history
    await expect(cluster.legendItem('member-3')).toContainText('offline', { timeout: 20_000 });
    await expect(cluster.legendItem('member-3')).toHaveAttribute('data-offline', 'true');
  } finally {
    await cluster.control('member-3', 'Start member').click();
  }
  await expect(cluster.controlMessage('member-3')).toHaveText('member-3: started', { timeout: 60_000 });
  await expect(cluster.memberRow('member-3')).toHaveAttribute('data-reachable', 'true');
  await expect(cluster.memberRow('member-3').getByTestId('member-status')).toHaveText('online');
});

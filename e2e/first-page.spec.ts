/**
 * The first page against `txline serve`: three members of the embedded cluster (member-3 applies with a
 * 1500 ms delay) while the workload writes about 5 transactions a second to neo4j.
 */
import { expect, test } from '@playwright/test';
import { OverviewPage } from './pages/overview-page';

test('the first page lists the three members with their mode and roles', async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.heading).toBeVisible();
  await expect(overview.members).toHaveCount(3);
  for (const [id, mode] of [
    ['member-1', 'primary'],
    ['member-2', 'primary'],
    ['member-3', 'secondary'],
  ]) {
    await expect(overview.mode(id)).toHaveText(mode);
    await expect(overview.member(id)).toHaveAttribute('data-reachable', 'true');
  }
  await expect(overview.database('member-1', 'neo4j').getByTestId('database-role')).toHaveText('writer');
  await expect(overview.database('member-2', 'neo4j').getByTestId('database-role')).toHaveText('follower');
  await expect(overview.database('member-3', 'neo4j').getByTestId('database-role')).toHaveText('secondary');
  await expect(overview.database('member-3', 'system').getByTestId('database-status')).toHaveText('online');
});

test("a lagging member shows its lag, and its row follows the workload without reloads", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.members).toHaveCount(3);

  // member-3 trails the writer by ~1.5 s of transactions. (Its lag need not take two values: the workload
  // commits every 200 ms and the collector samples every second, so on an idle machine every sample can find
  // it 7 behind. That the page follows without reloads is seen in its last committed transaction below.)
  await expect
    .poll(() => overview.lag('member-3', 'neo4j'), { message: "member-3's lag on neo4j should show it behind the writer", timeout: 20_000, intervals: [500] })
    .toBeLessThan(0);

  // The page polls on its own: no reloads.
  const before = await overview.lastCommittedTxn('member-3', 'neo4j');
  await expect.poll(() => overview.lastCommittedTxn('member-3', 'neo4j'), { timeout: 15_000 }).toBeGreaterThan(before);
  await expect(overview.database('member-1', 'neo4j').getByTestId('replication-lag')).toHaveText('0 behind');
});

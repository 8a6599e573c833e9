/**
 * The overview with many databases (issue 17): search by name, filter by cluster and by trouble, pages, all in
 * the URL (a view is a link and survives a reload), the live poll asking for the same page, an empty state when
 * nothing matches, keyboard-only use, and a phone's width. Against the real server's databases (the embedded
 * cluster's, and whatever earlier specs left in the default folder); paging uses `size=1` so that two databases
 * make two pages. Nothing is registered or changed.
 */
import { expect, test, type Page } from '@playwright/test';
import { OverviewPage } from './pages/overview-page';

/** The next poll of /api/overview, and its query parameters. */
async function nextPoll(page: Page): Promise<URLSearchParams> {
  const req = await page.waitForRequest((r) => new URL(r.url()).pathname === '/api/overview', { timeout: 15_000 });
  return new URL(req.url()).searchParams;
}

test.describe('the overview at fleet size', () => {
  test('searches by name: linkable, kept on reload, polled with the search, and says when nothing matches', async ({ page }) => {
    const o = new OverviewPage(page);
    await o.goto();
    await expect(o.databaseCard('neo4j')).toBeVisible({ timeout: 30_000 });
    const total = Number(await o.count.getAttribute('data-total'));
    expect(total).toBeGreaterThanOrEqual(2);
    await expect(o.count).toHaveText(new RegExp(`^Showing 1–${Math.min(total, 50)} of ${total} databases?`));

    await o.search.fill('NEO4');
    await o.search.press('Enter');
    await expect(page).toHaveURL(/[?&]q=NEO4(&|$)/);
    await expect(o.count).toContainText('matching');
    const names = await o.cardNames();
    expect(names).toContain('neo4j');
    expect(names).not.toContain('system');
    for (const n of names) expect(n.toLowerCase()).toContain('neo4');
    await expect(o.count).toHaveAttribute('data-matched', String(names.length));
    // the live poll asks for the same view, not for every database
    expect((await nextPoll(page)).get('q')).toBe('NEO4');

    await page.reload();
    await expect(o.search).toHaveValue('NEO4');
    expect(await o.cardNames()).toEqual(names);

    await o.search.fill('no-such-database-zz');
    await o.search.press('Enter');
    await expect(page.getByTestId('databases-no-match')).toContainText('No database matches “no-such-database-zz”');
    await expect(o.databaseCards).toHaveCount(0);
    await expect(o.count).toHaveText(`No databases match (of ${total}).`);
    await page.getByRole('link', { name: 'Show every database' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(o.count).toHaveAttribute('data-matched', String(total));
  });

  test('filters by cluster from the keyboard', async ({ page }) => {
    const o = new OverviewPage(page);
    await o.goto();
    await expect(o.databaseCard('neo4j')).toBeVisible({ timeout: 30_000 });

    // the cluster filter: the embedded cluster's databases only
    await o.clusterFilter.focus();
    await expect(o.clusterFilter).toBeFocused();
    await o.clusterFilter.selectOption({ label: 'embedded' });
    await expect(page).toHaveURL(/[?&]cluster=\d+/);
    const clusterId = new URL(page.url()).searchParams.get('cluster');
    await expect(o.databaseCard('system')).toBeVisible();
    await expect(o.count).toHaveAttribute('data-matched', String(await o.databaseCards.count()));
    for (const id of await o.databaseCards.evaluateAll((els) => els.map((e) => e.getAttribute('data-cluster-id')))) expect(id).toBe(clusterId);
    expect((await nextPoll(page)).get('cluster')).toBe(clusterId);

    // only in backups: no card of a cluster (or the empty state)
    await o.clusterFilter.selectOption({ label: 'Only in backups (no cluster)' });
    await expect(page).toHaveURL(/[?&]cluster=backups/);
    await expect(o.databaseCards.first().or(page.getByTestId('databases-no-match'))).toBeVisible();
    for (const id of await o.databaseCards.evaluateAll((els) => els.map((e) => e.getAttribute('data-cluster-id')))) expect(id).toBeNull();

    await o.clusterFilter.selectOption({ label: 'Every cluster' });
    await expect(page).not.toHaveURL(/cluster=[^&]/);
  });

  test('filters by trouble from the keyboard', async ({ page }) => {
    const o = new OverviewPage(page);
    await o.goto();
    await expect(o.databaseCard('neo4j')).toBeVisible({ timeout: 30_000 });
    // a database without backups says so on its card
    await o.troubleFilter.focus();
    await expect(o.troubleFilter).toBeFocused();
    await o.troubleFilter.selectOption({ label: 'No backups' });
    await expect(page).toHaveURL(/[?&]trouble=no-backups/);
    await expect(o.databaseCards.first().or(page.getByTestId('databases-no-match'))).toBeVisible();
    const cards = await o.databaseCards.all();
    for (const card of cards) await expect(card.getByTestId('no-backups')).toBeVisible();
    expect((await nextPoll(page)).get('trouble')).toBe('no-backups');
    await page.reload();
    await expect(o.troubleFilter).toHaveValue('no-backups');

    // in trouble of any kind: a subset of every database
    await o.troubleFilter.selectOption({ label: 'In trouble (any)' });
    await expect(page).toHaveURL(/[?&]trouble=any/);
    await expect(o.count).toHaveAttribute('data-matched', /^\d+$/);
    expect(Number(await o.count.getAttribute('data-matched'))).toBeLessThanOrEqual(Number(await o.count.getAttribute('data-total')));
    await o.filters.getByRole('link', { name: 'Clear' }).click();
    await expect(page).toHaveURL(/\/$/);
  });

  test('pages through the databases: linkable pages, kept on reload, reachable by keyboard', async ({ page }) => {
    const o = new OverviewPage(page);
    await page.goto('/?size=1');
    await expect(o.databaseCards).toHaveCount(1, { timeout: 30_000 });
    const total = Number(await o.count.getAttribute('data-total'));
    await expect(o.pager).toContainText(`Page 1 of ${total}`);
    await expect(o.count).toHaveText(new RegExp(`^Showing 1–1 of ${total} databases`));
    const first = (await o.cardNames())[0];

    const next = o.pager.getByRole('link', { name: 'Next' });
    await next.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/[?&]page=2(&|$)/);
    await expect(o.pager).toContainText(`Page 2 of ${total}`);
    await expect(o.count).toHaveText(new RegExp(`^Showing 2–2 of ${total}`));
    const second = (await o.cardNames())[0];
    expect(second).not.toBe(first);
    expect((await nextPoll(page)).get('page')).toBe('2');
    await page.reload();
    expect(await o.cardNames()).toEqual([second]);

    await o.pager.getByRole('link', { name: 'First' }).click();
    await expect(o.pager).toContainText(`Page 1 of ${total}`);
    expect(await o.cardNames()).toEqual([first]);
    await expect(o.pager.getByRole('link', { name: 'Previous' })).toHaveCount(0);
    await o.pager.getByRole('link', { name: 'Last' }).click();
    await expect(o.pager).toContainText(`Page ${total} of ${total}`);
    await expect(o.pager.getByRole('link', { name: 'Next' })).toHaveCount(0);
    // a page past the end shows the last one
    await page.goto(`/?size=1&page=${total + 10}`);
    await expect(o.pager).toContainText(`Page ${total} of ${total}`);
  });

  test('fits a phone: the search, the filters and the pages at 390 px', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const o = new OverviewPage(page);
    await page.goto('/?size=1&q=');
    await expect(o.pager).toBeVisible({ timeout: 30_000 });
    await expect(o.search).toBeVisible();
    const { scrollWidth, viewport } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(viewport);
  });
});

test.describe('the databases page at fleet size', () => {
  const rows = (page: Page) => page.getByTestId('database-row');
  const rowNames = (page: Page) => rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-database') ?? ''));

  test('pages and searches its table as the overview does, in the URL', async ({ page }) => {
    const o = new OverviewPage(page); // the same search, filters, count and pager
    await page.goto('/databases?size=1');
    await expect(rows(page)).toHaveCount(1, { timeout: 30_000 });
    const total = Number(await o.count.getAttribute('data-total'));
    expect(total).toBeGreaterThanOrEqual(2);
    await expect(o.pager).toContainText(`Page 1 of ${total}`);
    const [first] = await rowNames(page);

    await o.pager.getByRole('link', { name: 'Next' }).click();
    await expect(page).toHaveURL(/\/databases\?.*page=2(&|$)/);
    await expect(o.pager).toContainText(`Page 2 of ${total}`);
    await expect(o.count).toHaveText(new RegExp(`^Showing 2–2 of ${total}`));
    const [second] = await rowNames(page);
    expect(second).not.toBe(first);
    await page.reload();
    expect(await rowNames(page)).toEqual([second]);

    // a search starts again at page 1 and keeps the page size
    await o.search.fill('NEO4');
    await o.search.press('Enter');
    await expect(page).toHaveURL(/\/databases\?(?=.*size=1)(?=.*q=NEO4)/);
    await expect(page).not.toHaveURL(/page=2/);
    await expect(o.count).toContainText('matching');
    for (const n of await rowNames(page)) expect(n.toLowerCase()).toContain('neo4');

    await o.search.fill('no-such-database-zz');
    await o.search.press('Enter');
    await expect(page.getByTestId('databases-no-match')).toContainText('No database matches “no-such-database-zz”');
    await expect(rows(page)).toHaveCount(0);
    await page.getByRole('link', { name: 'Show every database' }).click();
    await expect(page).toHaveURL(/\/databases$/);
    await expect(o.count).toHaveAttribute('data-matched', String(total));
  });
});
